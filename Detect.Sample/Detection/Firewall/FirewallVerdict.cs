namespace Detect.Sample.Detection.Firewall;

/// <summary>A firewall rule's primary action.</summary>
internal enum FirewallVerdict
{
    /// <summary><c>accept</c>: let the traffic through (to the next hook, or to threat detection).</summary>
    Accept,

    /// <summary><c>drop</c>: drop it; unlike a threat-detection drop, no alert unless the rule also says <c>alert</c>.</summary>
    Drop,

    /// <summary><c>reject</c>: drop it; Suricata would also send a reset or ICMP error, the host sends nothing.</summary>
    Reject,
}
