using System.Buffers;
using Capture.Abstractions;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Decode;
using FlowEngine.Stream;

namespace Detect.Sample.Detection;

/// <summary>
/// The engine-independent core of detection for one worker: rules against one packet's
/// payload, stream depth and TLS record tracking against the flow's state. Single-threaded;
/// allocation-free per packet.
/// </summary>
internal sealed class PacketDetector
{
    private readonly Rule[] _alertRules;
    private readonly Rule[] _passRules;
    private readonly Rule[] _eventRules;
    private readonly RuleGroups _groups;
    private readonly DetectionOptions _settings;
    private readonly int _flowbitCount;
    private readonly FirewallEngine? _firewall;

    // Some rule inspects an HTTP body: bodies that run over several packets are gathered.
    private readonly bool _followsBodies;

    // Some rule's pcre captures variables.
    private readonly bool _captures;

    /// <summary>The alert and packet variables of the packet this thread inspected last; per thread, as the detector serves every worker.</summary>
    [ThreadStatic]
    private static List<CapturedVariable>? t_packetVariables;

    // Only tcp.session and the firewall (its app hooks wait for the handshake) need the session's phases: the packet path skips them otherwise.
    private readonly bool _tcpSession;

    // The lists of the rule groups.
    private const int PassList = 0;
    private const int AlertList = 1;

    /// <summary>Payload packets of a flow protocol detection looks at before it gives up.</summary>
    private const int AppDetectionPackets = 4;

    /// <summary>Room for buffers normalised per packet (http.host); per thread, as the detector serves every worker.</summary>
    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly HostBitTable _hosts = new();

    /// <summary>Bytes of a stream's tail a content split over segments needs (the longest stream content less one); 0: no rule looks for one.</summary>
    private readonly int _streamTail;

    /// <summary>The first bytes of the stream contents (both cases of a nocase one): a payload whose last bytes hold none of them cannot begin a content split with the next one, and its flow keeps no tail for it.</summary>
    private readonly SearchValues<byte>? _streamContentStarts;

    /// <summary>TCP's SYN flag: a SYN's payload (TCP Fast Open) starts one after its sequence number.</summary>
    private const int SynFlag = 0x02;

    /// <summary>Room for a stream's tail and the next payload's first bytes, where a content split between them is looked for.</summary>
    [ThreadStatic]
    private static byte[]? t_streamWindow;

    public PacketDetector(RuleSet rules, DetectionOptions settings)
    {
        // In Suricata's order (RuleOrder): among others, rules that set flowbits run before the rules that test them.
        _alertRules = RuleOrder.Sort(rules.Rules.Where(r => r.Firewall is null && r.Action != RuleAction.Pass));
        _passRules = RuleOrder.Sort(rules.Rules.Where(r => r.Firewall is null && r.Action == RuleAction.Pass));
        _firewall = settings.Firewall ? new FirewallEngine(rules.Rules) : null;
        _tcpSession = settings.Firewall || rules.Rules.Any(r => r.TcpSession != TcpSessionPhases.None);
        _eventRules = [.. _alertRules.Where(r => r.DecodeEvent is not null)];
        _groups = new RuleGroups(_passRules, _alertRules);
        _settings = settings;
        _flowbitCount = rules.FlowbitCount;
        _followsBodies = rules.Rules.Any(r => r.Inspections.Any(i => i.Buffer is RuleBuffer.HttpRequestBody or RuleBuffer.HttpResponseBody));
        _captures = rules.Rules.Any(r => r.Capturing.Count > 0);
        _streamTail = _alertRules.Max(r => r.StreamContent?.Bytes.Length - 1) ?? 0;
        _streamContentStarts = _streamTail > 0 ? StreamContentStarts(_alertRules) : null;
    }

    private static SearchValues<byte> StreamContentStarts(IEnumerable<Rule> rules)
    {
        var starts = new HashSet<byte>();
        foreach (ContentPattern content in rules.Select(r => r.StreamContent).OfType<ContentPattern>())
        {
            byte first = content.Bytes[0];
            starts.Add(first);
            if (content.NoCase && char.IsAsciiLetter((char)first))
            {
                starts.Add((byte)(first ^ 0x20));
            }
        }

        return SearchValues.Create([.. starts]);
    }

    /// <summary>The alert and packet variables the rules captured on the packet with a flow this thread inspected last; null for none.</summary>
    public static IReadOnlyList<CapturedVariable>? PacketVariables => t_packetVariables is { Count: > 0 } variables ? variables : null;

    /// <summary>
    /// Inspects one packet. Matching alert rules are written to <paramref name="matches"/> (one
    /// per sid per packet); returns how many, and the reason to bypass the flow, if any.
    /// </summary>
    /// <param name="packet">The packet's tuple in its own direction (source = sender).</param>
    /// <param name="toServer">Whether the packet goes client → server.</param>
    /// <param name="payload">The transport payload.</param>
    /// <param name="state">The flow's detection state.</param>
    /// <param name="matches">Room for matching rules; extra matches are dropped and counted by the caller.</param>
    /// <param name="bypass">Why to bypass the flow now, or <see cref="BypassReason.None"/>.</param>
    public int Inspect(in FlowTuple packet, bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass) =>
        Inspect(packet, RulePacket.Direction(toServer), payload, state, matches, out bypass);

    /// <summary>Inspects one packet with its direction, flow state and header fields (<paramref name="facts"/>).</summary>
    public int Inspect(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass) =>
        Inspect(packet, facts, payload, default, default, state, matches, out bypass);

    /// <summary>
    /// Inspects one packet with its header facts and captured bytes (<paramref name="packetBytes"/>,
    /// which <paramref name="facts"/>' offsets point into; header buffers such as ipv6.hdr read them)
    /// and the decoder events it raised (<paramref name="events"/>, for decode-event).
    /// </summary>
    public int Inspect(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass) =>
        Inspect(packet, facts, payload, packetBytes, events, default, state, matches, out bypass, out _);

    /// <summary>
    /// <see cref="Inspect(in FlowTuple, in RulePacket, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, DetectionFlowState, Span{Rule?}, out BypassReason)"/>
    /// with the TCP stream events the packet raised (<paramref name="streamEvents"/>, for stream-event).
    /// </summary>
    public int Inspect(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, ReadOnlySpan<StreamEvent> streamEvents, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass) =>
        Inspect(packet, facts, payload, packetBytes, events, streamEvents, state, matches, out bypass, out _);

    /// <summary>
    /// Inspects one packet as <see cref="Inspect(in FlowTuple, in RulePacket, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, ReadOnlySpan{StreamEvent}, DetectionFlowState, Span{Rule?}, out BypassReason)"/>
    /// does and says what inline mode does with it (<paramref name="verdict"/>): in firewall mode the
    /// firewall rules run first, and threat detection sees only what they accepted.
    /// </summary>
    public int Inspect(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, ReadOnlySpan<StreamEvent> streamEvents, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass, out PacketVerdict verdict)
    {
        bool toServer = facts.ToServer;
        bypass = BypassReason.None;
        verdict = PacketVerdict.Accept;
        if (_captures)
        {
            t_packetVariables?.Clear();
        }

        RulePacket session = _tcpSession && facts.TcpFlags >= 0
            ? facts with { TcpSession = state.Firewall.TcpPhases(facts.TcpFlags, toServer, facts.FlowState == FlowEngine.Flows.FlowState.Established) }
            : facts;
        if (state.Dropped)
        {
            // Inline, the rest of a dropped flow is dropped before inspection.
            verdict = PacketVerdict.Drop(DropReason.FlowDrop, state.DroppedByFirewall);
            return 0;
        }

        if (state.BypassRequested || (state.Passed && _firewall is null))
        {
            return 0;
        }

        if (!payload.IsEmpty && !facts.WithoutSession && state.AppOf(toServer) == AppProtocol.Unknown && state.AppDetectionAttemptsOf(toServer) < AppDetectionPackets)
        {
            DetectProtocol(packet.Protocol, toServer ? packet.DestinationPort : packet.SourcePort, toServer, payload, state);
        }

        // The session's stream before this payload, when the payload follows it: a content split between them is found there.
        bool inStream = _streamTail > 0 && packet.Protocol == IpProtocol.Tcp && facts.TcpSequence >= 0 && !payload.IsEmpty && !facts.WithoutSession;
        RawStreamTail? tail = inStream ? state.Stream?.TailOf(toServer) : null;
        uint payloadSeq = (uint)facts.TcpSequence + ((facts.TcpFlags & SynFlag) != 0 ? 1u : 0u);
        ReadOnlySpan<byte> streamTail = tail is not null && tail.Continues(payloadSeq) ? tail.Bytes : default;

        ReadOnlySpan<byte> http = state.App == AppProtocol.Http && packet.Protocol == IpProtocol.Tcp && facts.TcpSequence >= 0 && !payload.IsEmpty && !facts.WithoutSession
            ? HttpSource(state, toServer, payloadSeq, payload)
            : payload;
        HttpBodyState bodyState = HttpBodyState.InPacket;
        ReadOnlySpan<byte> body = default;
        if (_followsBodies && state.App == AppProtocol.Http && !payload.IsEmpty)
        {
            bodyState = (state.Captures ??= new FlowCaptures()).Bodies.Follow(toServer, payload, out body);
        }

        var buffers = new PacketBuffers(payload, packetBytes, session, packet.Protocol, packet.IsIPv6, state.App, t_scratch ??= new byte[1024], events, streamEvents, http, bodyState, body);
        int count = 0;
        if (_firewall is not null)
        {
            bool streamEstablished = packet.Protocol != IpProtocol.Tcp || state.Firewall.Established || facts.FlowState == FlowEngine.Flows.FlowState.Established;
            FirewallOutcome outcome = _firewall.Evaluate(packet, session, ref buffers, state, _hosts, streamEstablished, matches, ref count, out verdict);
            if (outcome != FirewallOutcome.Inspect || state.Passed)
            {
                state.Alerted |= count > 0;
                return count;
            }
        }

        // IP-only rules run on the flow's first packet each way only, as Suricata's IP-only engine.
        bool first = state.TakeFirstInDirection(toServer);

        // A packet without payload runs only the rules that can match one.
        int cell = _groups.Cell(packet.Protocol, packet.IsIPv6, packet.SourcePort, packet.DestinationPort);
        bool withoutPayload = payload.IsEmpty;
        foreach (Rule rule in _groups.Rules(PassList, cell, withoutPayload))
        {
            if ((first || !rule.IpOnly) && rule.Matches(packet, session, ref buffers, state, _hosts))
            {
                Capture(rule, ref buffers, state);
                state.Apply(rule.Flowbits, _flowbitCount);
                _hosts.Apply(rule.Hostbits, packet);
                state.Passed = true;
                if (rule.Bypass)
                {
                    // Suricata's "pass ... bypass": stop inspecting and have the flow bypassed.
                    bypass = BypassReason.Rule;
                    state.BypassRequested = true;
                }

                return count;
            }
        }

        foreach (Rule rule in _groups.Rules(AlertList, cell, withoutPayload))
        {
            if (count < matches.Length && (first || !rule.IpOnly) && (rule.Matches(packet, session, ref buffers, state, _hosts) || MatchesAcross(rule, streamTail, packet, session, ref buffers, state)))
            {
                Capture(rule, ref buffers, state);
                state.Apply(rule.Flowbits, _flowbitCount);
                _hosts.Apply(rule.Hostbits, packet);
                if (rule.NoAlert)
                {
                    continue;
                }

                matches[count++] = rule;
                if (rule.Bypass)
                {
                    bypass = BypassReason.Rule;
                }

                if (_settings.SimulateIps && rule.Action is RuleAction.Drop or RuleAction.Reject)
                {
                    // Inline, a drop ends the flow's inspection: its later packets are dropped before detection.
                    state.Dropped = true;
                    verdict = PacketVerdict.Drop(DropReason.Rules, byFirewall: false, rejected: rule.Action == RuleAction.Reject);
                }
            }
        }

        if (count > 0)
        {
            state.Alerted = true;
        }

        if (inStream)
        {
            KeepTail(tail, state, toServer, payloadSeq, payload);
        }

        if (packet.Protocol == IpProtocol.Tcp && !payload.IsEmpty && !facts.WithoutSession && bypass == BypassReason.None)
        {
            bypass = TrackStream(toServer, payload, state);
        }

        if (bypass != BypassReason.None)
        {
            state.BypassRequested = true;
        }

        return count;
    }

    /// <summary>
    /// Keeps the variables a matching rule's <c>pcre</c>s capture (Suricata's DetectPcrePayloadMatch):
    /// a flow variable replaces the flow's earlier value of its name; alert and packet variables are
    /// the packet's. Read from the packet's first HTTP message or the whole buffer.
    /// </summary>
    private static void Capture(Rule rule, ref PacketBuffers buffers, DetectionFlowState state)
    {
        if (rule.Capturing.Count == 0)
        {
            return;
        }

        buffers.FirstHttpMessage();
        foreach ((RuleBuffer buffer, PcrePattern pattern) in rule.Capturing)
        {
            if (!buffers.TryGet(buffer, out ReadOnlySpan<byte> bytes))
            {
                continue;
            }

            List<CapturedVariable> packetVariables = t_packetVariables ??= [];
            int from = packetVariables.Count;
            pattern.Capture(bytes, rule.Sid, packetVariables);
            for (int i = packetVariables.Count - 1; i >= from; i--)
            {
                if (packetVariables[i].Kind == PcreCaptureKind.Flow)
                {
                    List<CapturedVariable> flowVariables = (state.Captures ??= new FlowCaptures()).Variables;
                    string name = packetVariables[i].Name;
                    flowVariables.RemoveAll(v => string.Equals(v.Name, name, StringComparison.Ordinal));
                    flowVariables.Add(packetVariables[i]);
                    packetVariables.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Whether some rule can match a packet with this header (<see cref="RuleGroups"/>).</summary>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The address family.</param>
    /// <param name="sourcePort">The sender's port.</param>
    /// <param name="destinationPort">The receiver's port.</param>
    /// <param name="withoutPayload">Whether some rule can match such a packet that carries no payload.</param>
    /// <returns>False when no rule can match it; always true (both answers) in firewall mode or with rules testing tcp.session, which follow every packet.</returns>
    public bool HasCandidates(byte protocol, bool isIPv6, ushort sourcePort, ushort destinationPort, out bool withoutPayload)
    {
        if (_firewall is not null || _tcpSession)
        {
            withoutPayload = true;
            return true;
        }

        int cell = _groups.Cell(protocol, isIPv6, sourcePort, destinationPort);
        withoutPayload = _groups.HasCandidatesWithoutPayload(cell);
        return _groups.HasCandidates(cell);
    }

    /// <summary>
    /// <see cref="Inspect(in FlowTuple, in RulePacket, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, DetectionFlowState, Span{Rule?}, out BypassReason)"/>
    /// for a packet no rule can match (<see cref="HasCandidates"/> said so): protocol detection and the
    /// stream's tracking, which need no more of the packet than its protocol and server port.
    /// </summary>
    /// <returns>The reason to bypass the flow now, or <see cref="BypassReason.None"/>.</returns>
    /// <param name="withoutSession">A TCP packet of a flow without a session (<see cref="RulePacket.WithoutSession"/>): no protocol detection, no stream.</param>
    public BypassReason InspectWithoutCandidates(byte protocol, ushort serverPort, bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state, bool withoutSession = false)
    {
        if (state.Dropped || state.BypassRequested || state.Passed || withoutSession)
        {
            return BypassReason.None;
        }

        state.TakeFirstInDirection(toServer);

        if (!payload.IsEmpty && state.AppOf(toServer) == AppProtocol.Unknown && state.AppDetectionAttemptsOf(toServer) < AppDetectionPackets)
        {
            DetectProtocol(protocol, serverPort, toServer, payload, state);
        }

        BypassReason bypass = protocol == IpProtocol.Tcp && !payload.IsEmpty ? TrackStream(toServer, payload, state) : BypassReason.None;
        if (bypass != BypassReason.None)
        {
            state.BypassRequested = true;
        }

        return bypass;
    }

    /// <summary>
    /// Protocol detection in the packet's direction, each direction on its own as Suricata's: the
    /// flow's protocol is the first one found; a direction that finds another protocol than the
    /// other did raises APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS (<see cref="DetectionFlowState.ProtocolMismatch"/>).
    /// </summary>
    private static void DetectProtocol(byte protocol, ushort serverPort, bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state)
    {
        AppProtocol found = state.CountDetectionAttempt(toServer, AppProtocolDetection.Detect(protocol, serverPort, toServer, payload));
        if (found == AppProtocol.Unknown)
        {
            return;
        }

        AppProtocol other = state.AppOf(!toServer);
        if (other != AppProtocol.Unknown && other != found)
        {
            state.ProtocolMismatch = true;
        }

        if (state.App == AppProtocol.Unknown)
        {
            state.App = found;
        }
    }

    /// <summary>
    /// Inspects a packet without a flow, with no flow state and no payload: one that failed to decode
    /// and raised decoder events, where only the decode-event rules can match it, or one that
    /// <paramref name="decoded"/> whole to layers without a flow (IGMP, GRE) or is an IP fragment,
    /// where every rule may (a fragment's <see cref="RulePacket.Fragment"/> keeps rules with ports out).
    /// In firewall mode the firewall's packet tables run first (<see cref="FirewallEngine.EvaluateWithoutFlow"/>),
    /// and the other rules see only what they accepted by <c>accept:hook</c>.
    /// </summary>
    /// <param name="verdict">The firewall's verdict on the packet, or inline a drop or reject rule's that matched it; else accept.</param>
    public int InspectWithoutFlow(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, Span<Rule?> matches, out PacketVerdict verdict, bool decoded = false)
    {
        var buffers = new PacketBuffers(default, packetBytes, facts, packet.Protocol, packet.IsIPv6, AppProtocol.Unknown, t_scratch ??= new byte[1024], events);
        int count = 0;
        verdict = PacketVerdict.Accept;
        if (_firewall is not null && _firewall.EvaluateWithoutFlow(packet, facts, ref buffers, _hosts, matches, ref count, out verdict) != FirewallOutcome.Inspect)
        {
            return count;
        }

        foreach (Rule rule in decoded ? _alertRules : _eventRules)
        {
            if (count < matches.Length && rule.Flowbits.Count == 0 && rule.Matches(packet, facts, ref buffers, flowbits: null, _hosts))
            {
                _hosts.Apply(rule.Hostbits, packet);
                matches[count++] = rule;
                if (_settings.SimulateIps && rule.Action is RuleAction.Drop or RuleAction.Reject)
                {
                    // Inline, Suricata drops a packet without a flow that a drop rule matched, as any other.
                    verdict = PacketVerdict.Drop(DropReason.Rules, byFirewall: false, rejected: rule.Action == RuleAction.Reject);
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Where an HTTP flow's packet has its HTTP buffers: its payload, unless a head whose start line
    /// did not end in its segment is being joined (<see cref="SplitHttpHead"/>): then nothing until a
    /// segment ends the head, and that segment the whole head.
    /// </summary>
    private static ReadOnlySpan<byte> HttpSource(DetectionFlowState state, bool toServer, uint seq, ReadOnlySpan<byte> payload)
    {
        SplitHttpHead? split = state.Stream?.SplitHeadOf(toServer);
        if (split is { Pending: true })
        {
            if (split.Continue(seq, payload, out ReadOnlySpan<byte> head))
            {
                return head;
            }

            if (split.Pending)
            {
                return default;
            }
        }

        if (payload.IndexOf((byte)'\n') >= 0 || AppProtocolDetection.Detect(IpProtocol.Tcp, 0, toServer, payload) != AppProtocol.Http)
        {
            // A head whose start line ends here, or no head at all: the segment is read on its own.
            return payload;
        }

        split ??= (state.Stream ??= new DetectionStreamState()).AddSplitHead(toServer);
        split.Start(seq, payload);
        return split.Pending ? default : payload;
    }

    /// <summary>
    /// Adds a payload to its direction's tail of the stream; the tail is created only once a payload
    /// ends in bytes a stream content can begin with: until then no content can be split at a
    /// segment's end, and most flows keep none.
    /// </summary>
    private void KeepTail(RawStreamTail? tail, DetectionFlowState state, bool toServer, uint seq, ReadOnlySpan<byte> payload)
    {
        if (tail is null)
        {
            if (payload[^Math.Min(_streamTail, payload.Length)..].IndexOfAny(_streamContentStarts!) < 0)
            {
                return;
            }

            tail = (state.Stream ??= new DetectionStreamState()).AddTail(toServer, _streamTail);
        }

        tail.Add(seq, payload);
    }

    /// <summary>
    /// Whether a rule whose content was not in the payload finds it in the stream, begun in the tail
    /// before the payload and ended in it (<paramref name="streamTail"/> empty: the payload follows no
    /// tail). Only a content's length less one of each side is looked at: a match there cannot lie in
    /// one side alone, so none found in a single packet, earlier or now, is counted again.
    /// </summary>
    private bool MatchesAcross(Rule rule, ReadOnlySpan<byte> streamTail, in FlowTuple packet, in RulePacket facts, ref PacketBuffers buffers, DetectionFlowState state)
    {
        if (rule.StreamContent is not { } content || streamTail.IsEmpty)
        {
            return false;
        }

        int side = content.Bytes.Length - 1;
        ReadOnlySpan<byte> before = streamTail[^Math.Min(side, streamTail.Length)..];
        ReadOnlySpan<byte> after = buffers.Payload[..Math.Min(side, buffers.Payload.Length)];
        byte[] window = t_streamWindow is { } room && room.Length >= 2 * _streamTail ? room : t_streamWindow = new byte[2 * _streamTail];
        before.CopyTo(window);
        after.CopyTo(window.AsSpan(before.Length));
        return content.Occurs(window.AsSpan(0, before.Length + after.Length))
            && rule.Matches(packet, facts, ref buffers, state, _hosts, inspectBuffers: false);
    }

    private BypassReason TrackStream(bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state)
    {
        long seen = toServer ? state.StreamBytesToServer += payload.Length : state.StreamBytesToClient += payload.Length;
        if (_settings.TlsBypass && !state.NotTls)
        {
            TlsFlowTracking? tls = state.Tls;
            if (tls is null && !TlsRecordTracker.OpensHandshake(payload))
            {
                // The flow's first payload: a direction that does not open with a handshake record is
                // not TLS, and the flow can never be bypassed as TLS; no trackers for it.
                state.NotTls = true;
            }
            else
            {
                tls ??= state.Tls = new TlsFlowTracking();
                if (tls.Process(toServer, payload))
                {
                    return BypassReason.Tls;
                }

                state.NotTls = tls.NotTls;
            }
        }

        return _settings.StreamBypass && _settings.StreamDepth > 0 && seen >= _settings.StreamDepth ? BypassReason.StreamDepth : BypassReason.None;
    }
}
