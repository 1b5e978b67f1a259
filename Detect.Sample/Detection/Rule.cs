using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Detection;

/// <summary>One parsed rule of the supported subset.</summary>
internal sealed class Rule
{
    public required RuleAction Action { get; init; }

    public required RuleProtocol Protocol { get; init; }

    public required AddressSet Source { get; init; }

    public required PortSet SourcePorts { get; init; }

    public required AddressSet Destination { get; init; }

    public required PortSet DestinationPorts { get; init; }

    /// <summary><c>&lt;&gt;</c>: the rule also matches with source and destination swapped.</summary>
    public required bool Bidirectional { get; init; }

    public required IReadOnlyList<ContentPattern> Contents { get; init; }

    public required string Message { get; init; }

    public required long Sid { get; init; }

    public long Rev { get; init; } = 1;

    public long Gid { get; init; } = 1;

    public string Category { get; init; } = string.Empty;

    public int Severity { get; init; } = 3;

    /// <summary>The <c>bypass</c> keyword: a match asks the engine to bypass the flow.</summary>
    public bool Bypass { get; init; }

    public required string File { get; init; }

    public required int Line { get; init; }

    /// <summary>Whether the rule matches a packet: protocol, addresses and ports in the packet's direction, then the contents.</summary>
    public bool Matches(in FlowTuple packet, ReadOnlySpan<byte> payload)
    {
        if (!ProtocolMatches(packet.Protocol))
        {
            return false;
        }

        bool forward = HeaderMatches(packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort, packet.IsIPv6, packet.Protocol);
        if (!forward && !(Bidirectional && HeaderMatches(packet.Destination, packet.DestinationPort, packet.Source, packet.SourcePort, packet.IsIPv6, packet.Protocol)))
        {
            return false;
        }

        foreach (ContentPattern content in Contents)
        {
            if (content.Occurs(payload) == content.Negated)
            {
                return false;
            }
        }

        return true;
    }

    private bool ProtocolMatches(byte protocol) => Protocol switch
    {
        RuleProtocol.Tcp => protocol == IpProtocol.Tcp,
        RuleProtocol.Udp => protocol == IpProtocol.Udp,
        RuleProtocol.Icmp => protocol is IpProtocol.Icmp or IpProtocol.Icmpv6,
        _ => true,
    };

    private bool HeaderMatches(FlowAddress source, ushort sourcePort, FlowAddress destination, ushort destinationPort, bool isIPv6, byte protocol)
    {
        bool ports = protocol is 6 or 17 or 132;
        return Source.Matches(source, isIPv6)
            && Destination.Matches(destination, isIPv6)
            && (!ports || (SourcePorts.Matches(sourcePort) && DestinationPorts.Matches(destinationPort)));
    }
}
