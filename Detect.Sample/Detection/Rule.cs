using Capture.Abstractions;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Stream;

namespace Detect.Sample.Detection;

/// <summary>One parsed rule of the supported subset.</summary>
internal sealed class Rule
{
    // The lists Matches walks on every candidate packet, kept as arrays: walked through
    // IReadOnlyList, each walk of a List boxed an enumerator and made four interface calls.
    private readonly BufferInspection[] _inspections = [];
    private readonly IpReputationTest[] _reputation = [];
    private readonly FlowbitCommand[] _flowbits = [];
    private readonly HostbitCommand[] _hostbits = [];

    public required RuleAction Action { get; init; }

    public required RuleProtocol Protocol { get; init; }

    public required AddressSet Source { get; init; }

    public required PortSet SourcePorts { get; init; }

    public required AddressSet Destination { get; init; }

    public required PortSet DestinationPorts { get; init; }

    /// <summary><c>&lt;&gt;</c>: the rule also matches with source and destination swapped.</summary>
    public required bool Bidirectional { get; init; }

    /// <summary>Every <c>content</c> of the rule, whichever buffer it inspects.</summary>
    public required IReadOnlyList<ContentPattern> Contents { get; init; }

    /// <summary>The rule's patterns and size tests, grouped by the buffer they inspect.</summary>
    public IReadOnlyList<BufferInspection> Inspections
    {
        get => _inspections;
        init
        {
            _inspections = [.. value];
            _inspectsHttp = Array.Exists(_inspections, i => i.Buffer is >= RuleBuffer.HttpUri and <= RuleBuffer.HttpResponseBody);
        }
    }

    // Some inspection reads an HTTP buffer: the rule matches when they all hold in one message of the packet.
    private readonly bool _inspectsHttp;

    private (RuleBuffer Buffer, PcrePattern Pattern)[]? _capturing;

    /// <summary>The rule's <c>pcre</c>s that capture variables, with the buffer each reads; none for most rules.</summary>
    public IReadOnlyList<(RuleBuffer Buffer, PcrePattern Pattern)> Capturing => _capturing ??=
        [.. _inspections.SelectMany(i => i.Patterns.OfType<PcrePattern>().Where(p => p.Captures.Count > 0).Select(p => (i.Buffer, p)))];

    /// <summary>Whether a <c>pcre</c> of the rule captures a variable of <paramref name="kind"/> (what Suricata's order calls setting a flowvar or pktvar).</summary>
    public bool Captures(PcreCaptureKind kind) => Capturing.Any(c => c.Pattern.Captures.Any(k => k.Kind == kind));

    /// <summary>The application-layer protocol the flow must have been detected as (the rule's protocol, or implied by an HTTP buffer); <see cref="AppProtocol.Unknown"/> for any.</summary>
    public AppProtocol AppProtocol { get; init; }

    /// <summary>
    /// The rule's one payload content when it is also looked for in the TCP stream, across segment
    /// boundaries (a <c>tcp</c>, <c>tcp-stream</c> or <c>ip</c> rule, not <c>tcp-pkt</c>, whose payload
    /// inspection is a single floating content and no <c>dsize</c>); null otherwise.
    /// </summary>
    public ContentPattern? StreamContent { get; init; }

    /// <summary><c>flags</c>: the TCP flags.</summary>
    public TcpFlagsTest? TcpFlags { get; init; }

    /// <summary><c>seq</c>: the TCP sequence number.</summary>
    public RuleNumber? TcpSequence { get; init; }

    /// <summary><c>ack</c>: the TCP acknowledgement number.</summary>
    public RuleNumber? TcpAcknowledgement { get; init; }

    /// <summary><c>decode-event</c>: the packet raised this decoder event (a code of <see cref="FlowEngine.Decode.DecoderEvents"/>).</summary>
    public ushort? DecodeEvent { get; init; }

    /// <summary><c>stream-event</c>: the packet raised this TCP stream event.</summary>
    public StreamEvent? StreamEvent { get; init; }

    /// <summary><c>igmp.type</c>: the IGMP message type.</summary>
    public RuleNumber? IgmpType { get; init; }

    /// <summary><c>igmp-csum:valid</c> (true) / <c>invalid</c> (false).</summary>
    public bool? IgmpChecksumValid { get; init; }

    /// <summary><c>ipopts</c>: an IPv4 option's type (-1: any option).</summary>
    public int? IpOption { get; init; }

    /// <summary><c>icmp_id</c>: the ICMP echo identifier.</summary>
    public RuleNumber? IcmpId { get; init; }

    /// <summary><c>icmp_seq</c>: the ICMP echo sequence number.</summary>
    public RuleNumber? IcmpSequence { get; init; }

    /// <summary>Set for a rule of a firewall rules file: its firewall action, scope and hook.</summary>
    public FirewallRuleSpec? Firewall { get; init; }

    /// <summary><c>tcp.session</c>: the TCP session phases the packet must be in (any of them); none: no test.</summary>
    public TcpSessionPhases TcpSession { get; init; }

    /// <summary><c>iprep</c> tests, all of which must hold.</summary>
    public IReadOnlyList<IpReputationTest> Reputation { get => _reputation; init => _reputation = [.. value]; }

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
    public IReadOnlyList<FlowbitCommand> Flowbits { get => _flowbits; init => _flowbits = [.. value]; }

    /// <summary><c>hostbits</c> conditions and commands, in the rule's order.</summary>
    public IReadOnlyList<HostbitCommand> Hostbits { get => _hostbits; init => _hostbits = [.. value]; }

    /// <summary><c>flowbits:noalert</c> / <c>noalert</c>: a match runs the flowbit commands but writes no alert.</summary>
    public bool NoAlert { get; init; }

    /// <summary>A match drops the packet inline: a drop or reject rule, or a firewall rule that drops or rejects.</summary>
    public bool Drops => Action is RuleAction.Drop or RuleAction.Reject || Firewall?.Verdict is FirewallVerdict.Drop or FirewallVerdict.Reject;

    /// <summary>
    /// The rule looks for a content in the packet's payload (not negated, not empty), so a packet
    /// without payload never matches it: the rule groups leave it out of such packets' candidates.
    /// </summary>
    public bool NeedsPayload
    {
        get
        {
            foreach (BufferInspection inspection in _inspections)
            {
                if (inspection.Buffer != RuleBuffer.Payload)
                {
                    continue;
                }

                foreach (IRulePattern pattern in inspection.Patterns)
                {
                    if (pattern is ContentPattern { Negated: false, Bytes.Length: > 0 })
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>The option keywords as written, in order (what decides whether headers alone decide the match).</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    private bool? _ipOnly;

    /// <summary>
    /// An IP-only rule (Suricata's SignatureIsIPOnly): one that addresses, ports and protocol decide,
    /// with no option but those Suricata counts as compatible (<see cref="IpOnlyKeywords"/>, flowbits
    /// that only set) and no negated address. Suricata matches such a rule on a flow's first packet
    /// in each direction only (and on every packet without a flow), not on each packet.
    /// </summary>
    public bool IpOnly => _ipOnly ??= Firewall is null
        && AppProtocol == AppProtocol.Unknown
        && _inspections.Length == 0
        && !Source.HasExclusions && !Destination.HasExclusions
        && Keywords.All(IpOnlyKeywords.Contains)
        && Array.TrueForAll(_flowbits, f => f.Command == FlowbitCommand.Op.Set);

    // Options that are no match at all (msg, sid, ...) and the matches Suricata flags SIGMATCH_IPONLY_COMPAT.
    private static readonly HashSet<string> IpOnlyKeywords = new(StringComparer.Ordinal)
    {
        "msg", "sid", "rev", "gid", "classtype", "priority", "metadata", "reference", "target", "requires", "noalert",
        "flowbits", "hostbits", "iprep",
    };

    public required string File { get; init; }

    public required int Line { get; init; }

    /// <summary>Whether the rule matches a packet known only by its tuple and payload (no flow keywords or header fields).</summary>
    public bool Matches(in FlowTuple packet, ReadOnlySpan<byte> payload)
    {
        RulePacket facts = RulePacket.Direction(toServer: true);
        var buffers = new PacketBuffers(payload, default, facts, packet.Protocol, packet.IsIPv6, AppProtocol.Unknown, default);
        return Matches(packet, facts, ref buffers, flowbits: null);
    }

    /// <summary>
    /// Whether the rule matches a packet: protocol, addresses and ports in the packet's direction,
    /// flow and header keywords, the flow's application-layer protocol, flowbit conditions (against
    /// <paramref name="flowbits"/>, none set when null), then the patterns in their buffers unless
    /// <paramref name="inspectBuffers"/> is false (a firewall <c>proto:&lt;state</c> rule's partial match
    /// at the states before its own, as Suricata's).
    /// </summary>
    public bool Matches(in FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState? flowbits, HostBitTable? hosts = null, bool inspectBuffers = true)
    {
        ReadOnlySpan<byte> payload = buffers.Payload;
        if (!ProtocolMatches(packet.Protocol, packet.IsIPv6)
            || (FlowToServer is bool toServer && toServer != facts.ToServer)
            || (FlowEstablished is bool established && established != (facts.FlowState == FlowState.Established))
            || (PayloadSize is { } size && !size.Matches(payload.Length))
            || (Ttl is { } ttl && (facts.Ttl < 0 || !ttl.Matches(facts.Ttl)))
            || (IpProtocol is { } ipProtocol && !ipProtocol.Matches(packet.Protocol))
            || (IcmpType is { } icmpType && (facts.IcmpType < 0 || !icmpType.Matches(facts.IcmpType)))
            || (IcmpCode is { } icmpCode && (facts.IcmpCode < 0 || !icmpCode.Matches(facts.IcmpCode)))
            || (IcmpId is { } icmpId && (facts.IcmpId < 0 || !icmpId.Matches(facts.IcmpId)))
            || (IcmpSequence is { } icmpSequence && (facts.IcmpSequence < 0 || !icmpSequence.Matches(facts.IcmpSequence)))
            || (TcpFlags is { } flags && !flags.Matches(facts.TcpFlags))
            || (TcpSequence is { } sequence && (facts.TcpSequence < 0 || !sequence.Matches(facts.TcpSequence)))
            || (TcpAcknowledgement is { } acknowledgement && (facts.TcpAcknowledgement < 0 || !acknowledgement.Matches(facts.TcpAcknowledgement)))
            || (AppProtocol != AppProtocol.Unknown && AppProtocol != buffers.App)
            || (DecodeEvent is ushort decodeEvent && !buffers.Events.Contains(decodeEvent))
            || (TcpSession != TcpSessionPhases.None && (TcpSession & facts.TcpSession) == 0)
            || (StreamEvent is { } streamEvent && !buffers.StreamEvents.Contains(streamEvent))
            || (IpOption is int option && !buffers.HasIpv4Option(option))
            || ((IgmpType is not null || IgmpChecksumValid is not null) && !IgmpMatches(ref buffers)))
        {
            return false;
        }

        foreach (FlowbitCommand bit in _flowbits)
        {
            if (bit.IsCondition && !bit.Holds(flowbits))
            {
                return false;
            }
        }

        if (_hostbits.Length > 0 && (hosts is null || !hosts.Holds(_hostbits, packet)))
        {
            return false;
        }

        foreach (IpReputationTest reputation in _reputation)
        {
            if (!reputation.Matches(packet))
            {
                return false;
            }
        }

        if (facts.Fragment && !(SourcePorts.IsAny && DestinationPorts.IsAny))
        {
            // Suricata's DetectRunInspectRuleHeader: a fragment has no ports for a rule that names some.
            return false;
        }

        bool forward = HeaderMatches(packet.Source, packet.SourcePort, packet.Destination, packet.DestinationPort, packet.IsIPv6, packet.Protocol);
        if (!forward && !(Bidirectional && HeaderMatches(packet.Destination, packet.DestinationPort, packet.Source, packet.SourcePort, packet.IsIPv6, packet.Protocol)))
        {
            return false;
        }

        if (!inspectBuffers)
        {
            return true;
        }

        if (!_inspectsHttp)
        {
            return InspectionsMatch(ref buffers);
        }

        // Each HTTP message of the packet is a transaction of its own, inspected apart (pipelined requests).
        buffers.FirstHttpMessage();
        do
        {
            if (InspectionsMatch(ref buffers))
            {
                return true;
            }
        }
        while (buffers.NextHttpMessage());

        return false;
    }

    private bool InspectionsMatch(ref PacketBuffers buffers)
    {
        foreach (BufferInspection inspection in _inspections)
        {
            if (!buffers.Matches(inspection))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the rule's protocol field takes a packet of <paramref name="protocol"/> over IPv4 or IPv6.</summary>
    public bool ProtocolMatches(byte protocol, bool isIPv6) => Protocol switch
    {
        RuleProtocol.Tcp => protocol == FlowEngine.Decode.IpProtocol.Tcp,
        RuleProtocol.Udp => protocol == FlowEngine.Decode.IpProtocol.Udp,
        RuleProtocol.Icmp => protocol is FlowEngine.Decode.IpProtocol.Icmp or FlowEngine.Decode.IpProtocol.Icmpv6,
        RuleProtocol.Icmpv4 => protocol == FlowEngine.Decode.IpProtocol.Icmp,
        RuleProtocol.Icmpv6 => protocol == FlowEngine.Decode.IpProtocol.Icmpv6,
        RuleProtocol.Sctp => protocol == 132,
        RuleProtocol.Igmp => protocol == FlowEngine.Decode.IpProtocol.Igmp,
        RuleProtocol.Ipv4 => !isIPv6,
        RuleProtocol.Ipv6 => isIPv6,
        _ => true,
    };

    private bool IgmpMatches(ref PacketBuffers buffers)
    {
        if (!buffers.TryGetIgmpMessage(out ReadOnlySpan<byte> message) || message.Length < 8)
        {
            return false;
        }

        return (IgmpType is not { } type || type.Matches(message[0]))
            && (IgmpChecksumValid is not bool valid || valid == (InternetChecksum(message) == 0));
    }

    /// <summary>The ones' complement sum over <paramref name="data"/>, folded: 0 when a message with its checksum in place is intact.</summary>
    private static int InternetChecksum(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (data[i] << 8) | data[i + 1];
        }

        if (i < data.Length)
        {
            sum += data[i] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)(~sum & 0xFFFF);
    }

    private bool HeaderMatches(FlowAddress source, ushort sourcePort, FlowAddress destination, ushort destinationPort, bool isIPv6, byte protocol)
    {
        bool ports = protocol is 6 or 17 or 132;
        return Source.Matches(source, isIPv6)
            && Destination.Matches(destination, isIPv6)
            && (!ports || (SourcePorts.Matches(sourcePort) && DestinationPorts.Matches(destinationPort)));
    }
}
