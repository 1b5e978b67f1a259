using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;

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

    /// <summary><c>flow:to_server</c> (true) / <c>flow:to_client</c> (false); null for either direction.</summary>
    public bool? FlowToServer { get; init; }

    /// <summary><c>flow:established</c> (true) / <c>flow:not_established</c> (false); null for any state.</summary>
    public bool? FlowEstablished { get; init; }

    /// <summary><c>dsize</c>: the payload's length.</summary>
    public RuleNumber? PayloadSize { get; init; }

    /// <summary><c>ttl</c>: IPv4 TTL or IPv6 hop limit.</summary>
    public RuleNumber? Ttl { get; init; }

    /// <summary><c>ip_proto</c>: the IP protocol number.</summary>
    public RuleNumber? IpProtocol { get; init; }

    /// <summary><c>itype</c>: the ICMP type.</summary>
    public RuleNumber? IcmpType { get; init; }

    /// <summary><c>icode</c>: the ICMP code.</summary>
    public RuleNumber? IcmpCode { get; init; }

    /// <summary><c>flowbits</c> conditions and commands, in the rule's order.</summary>
    public IReadOnlyList<FlowbitCommand> Flowbits { get; init; } = [];

    /// <summary><c>flowbits:noalert</c> / <c>noalert</c>: a match runs the flowbit commands but writes no alert.</summary>
    public bool NoAlert { get; init; }

    /// <summary>The rule sets flowbits without testing any: Suricata runs such rules before the ones that test them.</summary>
    public bool SetsFlowbitsOnly => Flowbits.Count > 0 && Flowbits.All(f => !f.IsCondition);

    public required string File { get; init; }

    public required int Line { get; init; }

    /// <summary>Whether the rule matches a packet known only by its tuple and payload (no flow keywords or header fields).</summary>
    public bool Matches(in FlowTuple packet, ReadOnlySpan<byte> payload) => Matches(packet, RulePacket.Direction(toServer: true), payload, flowbits: null);

    /// <summary>
    /// Whether the rule matches a packet: protocol, addresses and ports in the packet's direction,
    /// flow and header keywords, flowbit conditions (against <paramref name="flowbits"/>, none set when null), then the contents.
    /// </summary>
    public bool Matches(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, DetectionFlowState? flowbits)
    {
        if (!ProtocolMatches(packet.Protocol, packet.IsIPv6)
            || (FlowToServer is bool toServer && toServer != facts.ToServer)
            || (FlowEstablished is bool established && established != (facts.FlowState == FlowState.Established))
            || (PayloadSize is { } size && !size.Matches(payload.Length))
            || (Ttl is { } ttl && (facts.Ttl < 0 || !ttl.Matches(facts.Ttl)))
            || (IpProtocol is { } ipProtocol && !ipProtocol.Matches(packet.Protocol))
            || (IcmpType is { } icmpType && (facts.IcmpType < 0 || !icmpType.Matches(facts.IcmpType)))
            || (IcmpCode is { } icmpCode && (facts.IcmpCode < 0 || !icmpCode.Matches(facts.IcmpCode))))
        {
            return false;
        }

        foreach (FlowbitCommand bit in Flowbits)
        {
            if (bit.IsCondition && !bit.Holds(flowbits))
            {
                return false;
            }
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

    private bool ProtocolMatches(byte protocol, bool isIPv6) => Protocol switch
    {
        RuleProtocol.Tcp => protocol == FlowEngine.Decode.IpProtocol.Tcp,
        RuleProtocol.Udp => protocol == FlowEngine.Decode.IpProtocol.Udp,
        RuleProtocol.Icmp => protocol is FlowEngine.Decode.IpProtocol.Icmp or FlowEngine.Decode.IpProtocol.Icmpv6,
        RuleProtocol.Icmpv4 => protocol == FlowEngine.Decode.IpProtocol.Icmp,
        RuleProtocol.Icmpv6 => protocol == FlowEngine.Decode.IpProtocol.Icmpv6,
        RuleProtocol.Sctp => protocol == 132,
        RuleProtocol.Ipv4 => !isIPv6,
        RuleProtocol.Ipv6 => isIPv6,
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
