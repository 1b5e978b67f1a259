using System.Net;
using FlowEngine.Stream;

namespace FlowEngine.Configuration;

/// <summary>One entry of Suricata's <c>host-os-policy</c>: the hosts of <paramref name="Network"/> behave as <paramref name="Policy"/>.</summary>
/// <param name="Network">The hosts.</param>
/// <param name="Policy">Their TCP stack's policy.</param>
public sealed record HostOsPolicy(IPNetwork Network, OsPolicy Policy);
