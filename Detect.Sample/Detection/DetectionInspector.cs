using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;
using Detect.Sample.Detection.Firewall;
using Detect.Sample.Hosting;
using Detect.Sample.Output;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Stream;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Detection;

/// <summary>
/// The engine's detection callback, one per worker: runs <see cref="PacketDetector"/> on each
/// packet of a flow that is not bypassed or passed, writes alerts and asks for bypass, and hands
/// the packets pcap-log writes to its stream.
/// </summary>
internal sealed class DetectionInspector : IPacketInspector
{
    private readonly PacketDetector _detector;
    private readonly FlowStorageSlot<DetectionFlowState> _slot;
    private readonly EveOutputs _eve;
    private readonly DetectionCounters _counters;
    private readonly ILogger _logger;
    private readonly PcapLogStream? _pcapLog;
    private readonly PcapLogOptions? _pcapLogOptions;
    private readonly Rule?[] _matches = new Rule?[32];
    private readonly bool _simulateIps;
    private readonly ExceptionPolicy _midstreamPolicy;
    private readonly bool _firewall;
    private readonly bool _anomalyStream;
    private readonly bool _anomalyApplayer;

    // Records carry ether (ethernet: yes): each flow keeps its first Ethernet addresses, for the records of its packets without an Ethernet header of their own.
    private readonly bool _flowMacs;

    // The capture interface of this worker's packets (EVE in_iface): packets without a flow have no context that names it.
    private readonly string _interfaceName;

    // This worker's inline verdict counters (null when not inline).
    private readonly long[]? _verdicts;

    // The verdict counted last: a datagram's, which the fragment that completed it shares.
    private PacketVerdict _counted;

    public DetectionInspector(string interfaceName, PacketDetector detector, FlowStorageSlot<DetectionFlowState> slot, EveOutputs eve, DetectionCounters counters, ILogger logger, bool simulateIps, PcapLog? pcapLog = null, ExceptionPolicy midstreamPolicy = ExceptionPolicy.Ignore, bool firewall = false)
    {
        _interfaceName = interfaceName;
        _firewall = firewall;
        _verdicts = simulateIps ? counters.Inline?.CreateWorker() : null;
        _midstreamPolicy = midstreamPolicy;
        _simulateIps = simulateIps;
        _pcapLog = pcapLog?.CreateStream();
        _pcapLogOptions = pcapLog?.Options;
        _detector = detector;
        _slot = slot;
        _eve = eve;
        _counters = counters;
        _logger = logger;
        _anomalyStream = eve.WritesAnomaly(AnomalyType.Stream);
        _anomalyApplayer = eve.WritesAnomaly(AnomalyType.Applayer);
        _flowMacs = eve.WritesEthernet;
    }

    public void Inspect(ref PacketContext context)
    {
        if (context.Packet.LayerCount > 1)
        {
            InspectCarrierLayers(in context.Packet, context.PacketBytes);
        }

        DetectionFlowState? state = context.GetStorage(_slot);
        if (state is null)
        {
            state = StartFlow(ref context);
            if (state is null)
            {
                return;
            }
        }

        if (_flowMacs && !state.MacsSeen)
        {
            NoteMacs(ref context, state);
        }

        if (state.BypassRequested || state.Dropped || (state.Passed && !_firewall))
        {
            NotInspected(ref context, state);
            return;
        }

        ref readonly DecodedPacket decoded = ref context.Packet;
        ref readonly PacketLayer layer = ref decoded.Layers[decoded.LayerCount == 0 ? 0 : decoded.LayerCount - 1];
        bool toServer = context.ToServer;
        ReadOnlySpan<byte> payload = context.Payload;
        if (decoded.EventCount == 0 && context.StreamEvents.IsEmpty && layer.Protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp
            && (layer.Flags & (PacketLayerFlags.HasFlowKey | PacketLayerFlags.IcmpErrorForEmbedded)) == PacketLayerFlags.HasFlowKey
            && !HasCandidates(state, in layer, toServer, payload.IsEmpty))
        {
            // No rule can match (most packets): the flow's layer gives the header, and no tuple is built.
            BypassReason reason = _detector.InspectWithoutCandidates(layer.Protocol, toServer ? layer.DestinationPort : layer.SourcePort, toServer, payload, state, WithoutSession(ref context, layer));
            if (reason == BypassReason.None && !state.ProtocolMismatch && _verdicts is null && _pcapLog is null)
            {
                // Nothing to count, write or ask for: only the flow's protocol to label. No rule ran,
                // and a flow a rule passed, dropped or accepted is not inspected here.
                Debug.Assert(!state.Passed && !state.Dropped && !state.AcceptedByFirewall, "no rule ran on the flow's packets");
                LabelAppProtocol(context.Flow, state);

                return;
            }

            ConcludeWithoutRules(ref context, state, reason);
            return;
        }

        InspectWithRules(ref context, state);
    }

    /// <summary>
    /// The flow's first packet: its detection state, and the midstream policy for a TCP flow picked
    /// up midstream. Out of line, as are the other paths that are not every packet's: the
    /// callback's frame (zeroed on every call) holds only the common path's locals.
    /// </summary>
    /// <returns>The flow's state, or null when the policy ended its inspection (the packet is done).</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DetectionFlowState? StartFlow(ref PacketContext context)
    {
        // One object per flow, on its first packet: the flow's detection state, one an ended flow left when there is one.
        DetectionFlowState state = context.TakeReusable(_slot) ?? new DetectionFlowState();
        context.SetStorage(_slot, state);
        if (IsMidstream(ref context) && ApplyMidstreamPolicy(ref context, state))
        {
            Verdict(ref context, state, state.Dropped ? PacketVerdict.Drop(DropReason.StreamMidstream, byFirewall: false) : PacketVerdict.Accept, dropRule: null);
            _ = WritePacket(ref context, state);
            return null;
        }

        return state;
    }

    /// <summary>
    /// Keeps the flow's first Ethernet addresses, as Suricata's flow MAC set does: from a packet with
    /// an Ethernet header of its own (not a tunnel's inner IP packet, not a reassembled datagram),
    /// the client's first.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoteMacs(ref PacketContext context, DetectionFlowState state)
    {
        ref readonly DecodedPacket decoded = ref context.Packet;
        int layer = PacketSources.FlowLayer(decoded);
        ulong source = decoded.SourceMac, destination = decoded.DestinationMac;
        if (layer != 0 || decoded.Record.LinkType != LinkType.Ethernet || (decoded.Layers[0].Flags & (PacketLayerFlags.Reassembled | PacketLayerFlags.Fragment)) == PacketLayerFlags.Reassembled)
        {
            // Not a frame on the wire (most flows' first packet is, and the decoder read its MACs): a tunnel's inner frame, or none.
            EvePacketHeader header = EvePacketHeader.Of(decoded, layer, context.PacketBytes);
            if (!header.HasEther)
            {
                return;
            }

            source = header.SourceMac;
            destination = header.DestinationMac;
        }

        bool toServer = context.ToServer;
        state.NoteMacs(toServer ? source : destination, toServer ? destination : source);
    }

    /// <summary>A packet of a flow bypassed, dropped or passed: its verdict and pcap-log only.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NotInspected(ref PacketContext context, DetectionFlowState state)
    {
        Verdict(ref context, state, Remembered(state), dropRule: null);
        _ = WritePacket(ref context, state);
    }

    /// <summary>The verdict of a packet its flow's earlier verdict decides: the rest of a dropped flow is dropped, any other flow's packet passes.</summary>
    private static PacketVerdict Remembered(DetectionFlowState state) =>
        state.Dropped ? PacketVerdict.Drop(DropReason.FlowDrop, state.DroppedByFirewall) : PacketVerdict.Accept;

    /// <summary>Inline, the engine tells of the packets detection does not see, so that each gets a verdict (Suricata counts every packet under <c>ips.*</c>).</summary>
    public bool CountsEveryPacket => _verdicts is not null;

    /// <summary>
    /// A packet of a bypassed flow, dropped by the engine before detection: counted as its flow's
    /// verdict says (a bypassed flow passes), and not written to pcap-log (bypassed packets never are).
    /// </summary>
    public void Bypassed(ref PacketContext context)
    {
        Debug.Assert(_verdicts is not null, "called only when every packet is counted");
        DetectionFlowState? state = context.GetStorage(_slot);
        if (state is null)
        {
            // A flow an earlier run's capture bypassed, restored at start: detection never saw it, and it passes.
            CountVerdict(PacketVerdict.Accept);
            return;
        }

        Verdict(ref context, state, Remembered(state), dropRule: null);
    }

    /// <summary>
    /// A packet without a flow that detection does not see (no IP and no decoder event): it passes,
    /// but in firewall mode it is dropped (<see cref="WithoutIp"/>).
    /// </summary>
    public void PassedWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(_verdicts is not null, "called only when every packet is counted");
        ConcludeWithoutFlow(packet, bytes, tuple: null, WithoutIp, rule: null);
    }

    /// <summary>Inline mode: counts a packet's verdict, and remembers it for the fragment that completed a datagram.</summary>
    private void CountVerdict(in PacketVerdict verdict)
    {
        _counted = verdict;
        _counters.Inline!.Count(_verdicts!, verdict);
    }

    /// <summary>
    /// The verdict on a packet without an IP layer (ARP, other non-IP frames, one that failed to decode
    /// before its IP header): Suricata has no rule group for it, so no rule can accept it, and in
    /// firewall mode its packet filter's default policy drops it; otherwise it passes.
    /// </summary>
    private PacketVerdict WithoutIp => _firewall ? PacketVerdict.Drop(DropReason.DefaultPacketPolicy, byFirewall: true) : PacketVerdict.Accept;

    /// <summary>What follows a packet no rule could match and that has something to count, write or ask for.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ConcludeWithoutRules(ref PacketContext context, DetectionFlowState state, BypassReason reason) =>
        Conclude(ref context, state, count: 0, reason, PacketVerdict.Accept, default, default, hasTuple: false);

    /// <summary>
    /// Whether some rule can match the packet by its header and whether it carries payload
    /// (<see cref="PacketDetector.HasCandidates"/>), asked once per direction of the flow: its packets
    /// share the header the rule groups go by.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasCandidates(DetectionFlowState state, in PacketLayer layer, bool toServer, bool withoutPayload)
    {
        if (state.TryGetCandidates(toServer, withoutPayload, out bool known))
        {
            return known;
        }

        return AskCandidates(state, layer, toServer, withoutPayload);
    }

    /// <summary>The rule groups' answers for the flow's first packet in a direction, kept in its state.</summary>
    private bool AskCandidates(DetectionFlowState state, in PacketLayer layer, bool toServer, bool withoutPayload)
    {
        bool any = _detector.HasCandidates(layer.Protocol, layer.IsIPv6, layer.SourcePort, layer.DestinationPort, out bool anyWithoutPayload);
        state.SetCandidates(toServer, any, anyWithoutPayload);
        return withoutPayload ? anyWithoutPayload : any;
    }

    /// <summary>A packet rules may match: the rules run on its tuple and header fields; out of line, as its locals are many.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InspectWithRules(ref PacketContext context, DetectionFlowState state)
    {
        FlowView flow = context.Flow;
        bool toServer = context.ToServer;
        ref readonly DecodedPacket decoded = ref context.Packet;
        ref readonly PacketLayer layer = ref decoded.Layers[decoded.LayerCount == 0 ? 0 : decoded.LayerCount - 1];
        FlowTuple flowTuple = flow.Tuple;
        FlowTuple packet = toServer ? flowTuple : flowTuple.Reverse();

        // An ICMP error keyed to the flow it quotes is matched as the ICMP packet it is (Suricata's rules see p->proto, p->src, p->dst).
        FlowTuple inspected = (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0 ? packet : IcmpErrorPacket.Tuple(layer, context.PacketBytes);
        RulePacket facts = Facts(layer, context.PacketBytes, flow.State, toServer) with { WithoutSession = WithoutSession(ref context, layer) };
        int count = _detector.Inspect(inspected, facts, context.Payload, context.PacketBytes, decoded.EventCodes[..decoded.EventCount], context.StreamEvents, state, _matches, out BypassReason reason, out PacketVerdict verdict);
        Conclude(ref context, state, count, reason, verdict, packet, flowTuple, hasTuple: true);
    }

    /// <summary>
    /// What follows inspection: the flow's marks, the verdict, the bypass request, pcap-log, and the
    /// packet's anomaly and alert records.
    /// </summary>
    /// <param name="context">The packet.</param>
    /// <param name="state">The flow's detection state.</param>
    /// <param name="count">How many of <see cref="_matches"/> matched.</param>
    /// <param name="reason">Why to bypass the flow now, if at all.</param>
    /// <param name="verdict">What inline mode does with the packet.</param>
    /// <param name="packet">The packet's tuple in its own direction, when <paramref name="hasTuple"/>.</param>
    /// <param name="flowTuple">The flow's tuple, when <paramref name="hasTuple"/>.</param>
    /// <param name="hasTuple">Whether the tuples were built (the rules ran).</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Conclude(ref PacketContext context, DetectionFlowState state, int count, BypassReason reason, PacketVerdict verdict, FlowTuple packet, FlowTuple flowTuple, bool hasTuple)
    {
        FlowView flow = context.Flow;
        bool toServer = context.ToServer;
        ref readonly DecodedPacket decoded = ref context.Packet;
        ReadOnlySpan<ushort> events = decoded.EventCodes[..decoded.EventCount];
        ReadOnlySpan<StreamEvent> streamEvents = context.StreamEvents;
        if (!hasTuple && state.ProtocolMismatch)
        {
            // The application-layer anomaly below names the packet's tuple.
            flowTuple = flow.Tuple;
            packet = toServer ? flowTuple : flowTuple.Reverse();
        }

        LabelAppProtocol(flow, state);

        if (state.Passed)
        {
            flow.MarkPassed();
        }

        if (state.Dropped)
        {
            // A drop or reject rule matched with --simulate-ips: the flow record says so (flow.action: drop).
            flow.MarkDropped();
        }
        else if (state.AcceptedByFirewall)
        {
            flow.MarkAccepted();
        }

        if (context.StreamDropped)
        {
            // The stream engine rejected the packet (inline, drop-invalid): Suricata drops it before
            // detection, and that reason stands whatever the rules said.
            verdict = PacketVerdict.Drop(DropReason.StreamError, byFirewall: false);
        }

        Verdict(ref context, state, verdict, verdict.Dropped ? DropRule(count) : null);

        if (reason != BypassReason.None)
        {
            // The bypass first, the alert and the log after: every moment before the capture's entry
            // is in place is packets of the flow still reaching user space.
            context.RequestBypass();
            _counters.CountBypass(reason);
            DetectLog.BypassRequested(_logger, flow.Id, reason.ToString());
        }

        string? captureFile = WritePacket(ref context, state);
        if (!events.IsEmpty && _eve.WritesAnomalies)
        {
            WriteAnomalies(decoded, context.PacketBytes, context.TimestampNanoseconds, flow.Id, flow.TunnelParentFlowId, packet, PacketSources.FlowLayer(decoded), toServer, state);
        }

        if (!streamEvents.IsEmpty && _anomalyStream)
        {
            WriteStreamAnomalies(decoded, streamEvents, context.PacketBytes, context.TimestampNanoseconds, flow.Id, flow.TunnelParentFlowId, packet, toServer, state);
        }

        if (state.ProtocolMismatch)
        {
            state.ProtocolMismatch = false;
            if (_anomalyApplayer)
            {
                WriteApplayerAnomaly(decoded, "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS", state, context.PacketBytes, context.TimestampNanoseconds, flow.Id, flow.TunnelParentFlowId, packet, toServer);
            }
        }

        if (count > 0)
        {
            WriteAlerts(ref context, state, count, packet, flowTuple, captureFile);
            flow.MarkAlerted();
        }
    }

    /// <summary>Gives the flow record the application protocol detection found, once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LabelAppProtocol(FlowView flow, DetectionFlowState state)
    {
        if (state.App != AppProtocol.Unknown && flow.AppProtocol == 0)
        {
            flow.SetAppProtocol((byte)state.App);
        }
    }

    /// <summary>
    /// The packet's alerts, out of line: their records built inline made every packet's frame zero
    /// a kilobyte of locals, alerts or not.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteAlerts(ref PacketContext context, DetectionFlowState state, int count, in FlowTuple packet, in FlowTuple flowTuple, string? captureFile)
    {
        FlowView flow = context.Flow;
        bool toServer = context.ToServer;
        ref readonly DecodedPacket decoded = ref context.Packet;
        string? appProtocol = state.App == AppProtocol.Unknown ? null : AppProtocolDetection.Name(state.App);
        int layer = PacketSources.FlowLayer(decoded);
        PacketSource source = PacketSources.Of(decoded, layer);
        FlowTuple? root = PacketSources.Root(decoded, layer);
        EvePacketHeader header = WithFlowMacs(EvePacketHeader.Of(decoded, layer, context.PacketBytes), state);
        for (int i = 0; i < count; i++)
        {
            Rule rule = _matches[i]!;
            _matches[i] = null;
            _eve.WriteAlert(new AlertEvent
            {
                TimestampNanoseconds = context.TimestampNanoseconds,
                FlowId = flow.Id,
                InterfaceName = context.InterfaceName,
                Packet = packet,
                Flow = flowTuple,
                ToServer = toServer,
                Rule = rule,
                Blocked = _simulateIps && rule.Drops,
                PacketsToServer = flow.PacketsToServer,
                PacketsToClient = flow.PacketsToClient,
                BytesToServer = flow.BytesToServer,
                BytesToClient = flow.BytesToClient,
                FlowStartNanoseconds = flow.StartNanoseconds,
                TunnelParentFlowId = flow.TunnelParentFlowId,
                CaptureFile = captureFile,
                AppProtocol = appProtocol,
                PcapCount = decoded.Record.PacketNumber,
                Source = source,
                TunnelRoot = root,
                TunnelDepth = decoded.Layers[layer].TunnelDepth,
                Header = header,
                PacketVariables = PacketDetector.PacketVariables,
                FlowVariables = state.Captures?.VariablesIfAny,
            });
            _counters.CountAlert();
        }
    }

    /// <summary>The rule among this packet's matches that dropped it (a drop/reject rule, or a firewall drop), for the drop record.</summary>
    private Rule? DropRule(int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (_matches[i] is { } rule && rule.Drops)
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Inline mode: counts the packet's verdict (<c>ips.*</c>, <c>firewall.*</c>) and writes the drop record of a dropped one.</summary>
    private void Verdict(ref PacketContext context, DetectionFlowState state, in PacketVerdict verdict, Rule? dropRule)
    {
        if (_verdicts is null)
        {
            return;
        }

        CountVerdict(verdict);
        if (!verdict.Dropped || !_eve.WritesDrops)
        {
            return;
        }

        bool toServer = context.ToServer;
        ref bool logged = ref toServer ? ref state.Firewall.DropLoggedToServer : ref state.Firewall.DropLoggedToClient;
        bool first = !logged;
        logged = true;
        FlowView flow = context.Flow;
        ref readonly DecodedPacket decoded = ref context.Packet;
        int layer = PacketSources.FlowLayer(decoded);
        _eve.WriteDrop(new DropEvent
        {
            TimestampNanoseconds = context.TimestampNanoseconds,
            FlowId = flow.Id,
            TunnelParentFlowId = flow.TunnelParentFlowId,
            InterfaceName = context.InterfaceName,
            PcapCount = decoded.Record.PacketNumber,
            Packet = toServer ? flow.Tuple : flow.Tuple.Reverse(),
            Header = WithFlowMacs(EvePacketHeader.Of(decoded, layer, context.PacketBytes), state),
            ToServer = toServer,
            Reason = verdict.Reason,
            Rejected = verdict.Rejected,
            FirstThisWay = first,
            Rule = dropRule,
            Bytes = context.PacketBytes,
            NetworkOffset = decoded.Innermost.NetworkOffset,
            // An ICMP error keyed to the flow it quotes has an ICMP header there, not the flow's
            // TCP or UDP one: no transport fields rather than ones read from the wrong header.
            TransportOffset = (decoded.Innermost.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0 ? -1 : decoded.Innermost.TransportOffset,
            Source = PacketSources.Of(decoded, layer),
        });
    }

    /// <summary>
    /// Hands the packet to pcap-log when its condition holds: every packet, or with
    /// <c>conditional: alerts</c> those of a flow from its first alert on; with
    /// <c>honor-pass-rules</c> none of a flow a pass rule matched.
    /// </summary>
    /// <returns>The file it goes to (an alert's <c>capture_file</c>), or null.</returns>
    private string? WritePacket(ref PacketContext context, DetectionFlowState state)
    {
        if (_pcapLog is null
            || (_pcapLogOptions!.Conditional == PcapLogCondition.Alerts && !state.Alerted)
            || (_pcapLogOptions.HonorPassRules && state.Passed))
        {
            return null;
        }

        ref readonly DecodedPacket packet = ref context.Packet;
        ReadOnlySpan<byte> bytes = context.PacketBytes;
        // A datagram reassembled from fragments is written as the one packet detection saw, with its
        // own length: its fragments were held by the defragmenter, not inspected.
        bool reassembled = false;
        for (int i = 0; i < packet.LayerCount; i++)
        {
            reassembled |= (packet.Layers[i].Flags & PacketLayerFlags.Reassembled) != 0;
        }

        int originalLength = reassembled ? bytes.Length : packet.Record.OriginalLength;
        return _pcapLog.Write(context.TimestampNanoseconds, bytes, originalLength, packet.Record.LinkType);
    }

    /// <summary>A TCP packet with payload of a flow the stream engine keeps no session for (<see cref="RulePacket.WithoutSession"/>).</summary>
    private static bool WithoutSession(ref PacketContext context, in PacketLayer layer) =>
        layer.Protocol == IpProtocol.Tcp && (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0 && !context.Payload.IsEmpty && context.TcpState == TcpState.None;

    /// <summary>A TCP flow whose first packet is a SYN-ACK or an ACK: picked up in the middle, as Suricata's stream engine sees it (a RST or a packet without ACK starts no session).</summary>
    private static bool IsMidstream(ref PacketContext context)
    {
        const byte Rst = 0x04, Ack = 0x10;
        PacketLayer layer = context.Packet.Innermost;
        return layer.Protocol == IpProtocol.Tcp && (layer.TcpFlags & Ack) != 0 && (layer.TcpFlags & Rst) == 0;
    }

    /// <summary>
    /// Applies <c>stream.midstream-policy</c> to a flow picked up midstream, as Suricata's stream engine
    /// does on the flow's first packet; returns whether the flow is no longer inspected.
    /// </summary>
    private bool ApplyMidstreamPolicy(ref PacketContext context, DetectionFlowState state)
    {
        ExceptionPolicy policy = _midstreamPolicy;
        FlowView flow = context.Flow;
        flow.SetExceptionPolicy((byte)policy);
        _counters.CountMidstreamPolicy(policy);
        switch (policy)
        {
            case ExceptionPolicy.Bypass:
                state.BypassRequested = true;
                context.RequestBypass();
                _counters.CountBypass(BypassReason.ExceptionPolicy);
                return true;
            case ExceptionPolicy.PassFlow:
                state.Passed = true;
                flow.MarkPassed();
                return true;
            case ExceptionPolicy.DropFlow or ExceptionPolicy.Reject:
                state.Dropped = true;
                flow.MarkDropped();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A packet without a flow: its anomaly records, and the alerts of the rules it matches, tested on
    /// its innermost layer (Suricata runs them on such packets too): every rule that needs no flow
    /// state when it decoded whole or is an IP fragment, else the decode-event rules. Inline, its
    /// verdict: in firewall mode the firewall's first, then a drop or reject rule's (with a drop record).
    /// A fragment has no ports, transport or payload, and an IPv6 one the fragment header's protocol
    /// (44), as Suricata's decoder leaves them; the fragment that completed a datagram is counted with it.
    /// </summary>
    public void InspectWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<ushort> events = packet.EventCodes[..packet.EventCount];
        FlowTuple? tuple = null;
        bool fragment = false, completing = false;
        if (packet.LayerCount > 0)
        {
            PacketLayer layer = packet.Innermost;
            fragment = (layer.Flags & PacketLayerFlags.Fragment) != 0;
            completing = fragment && (layer.Flags & PacketLayerFlags.Reassembled) != 0;
            byte protocol = fragment && layer.IsIPv6 ? IpProtocol.Fragment : layer.Protocol;
            tuple = (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0
                ? IcmpErrorPacket.Tuple(layer, bytes)
                : TupleOf(layer, protocol);
        }

        long timestamp = packet.Record.TimestampNanoseconds;
        if (_eve.WritesAnomalies)
        {
            WriteAnomalies(packet, bytes, timestamp, flowId: 0, parentId: 0, tuple, packet.LayerCount - 1, toServer: true, state: null);
        }

        if (tuple is not { } header)
        {
            if (_verdicts is not null)
            {
                ConcludeWithoutFlow(packet, bytes, tuple: null, WithoutIp, rule: null);
            }

            return;
        }

        RulePacket facts = fragment ? FragmentFacts(packet.Innermost, bytes) : Facts(packet.Innermost, bytes, FlowState.New, toServer: true);
        int count = _detector.InspectWithoutFlow(header, facts, bytes, events, _matches, out PacketVerdict verdict, decoded: fragment || packet.Result == DecodeResult.Ok);
        if (_verdicts is not null)
        {
            if (!completing)
            {
                ConcludeWithoutFlow(packet, bytes, header, verdict, DropRule(count));
            }
            else if (verdict.Dropped && !_counted.Dropped)
            {
                // The frame was counted with the datagram it completed, which passed: its own drop stands.
                _counters.Inline!.Uncount(_verdicts, _counted);
                ConcludeWithoutFlow(packet, bytes, header, verdict, DropRule(count));
            }
        }

        WriteAlertsWithoutFlow(packet, bytes, packet.LayerCount - 1, header, count);
    }

    /// <summary>
    /// The layers of a tunnelled packet outside its flow's layer that have no flow of their own (a GRE
    /// or IP-in-IP carrier): Suricata decodes each into a packet of its own, without a flow, and runs
    /// the rules on it as on any packet without a flow. Alerts only: the packet's verdict and anomaly
    /// records are its flow's.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InspectCarrierLayers(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
        for (int l = 0; l < packet.LayerCount - 1; l++)
        {
            ref readonly PacketLayer layer = ref packet.Layers[l];
            if ((layer.Flags & (PacketLayerFlags.HasFlowKey | PacketLayerFlags.Fragment)) != 0)
            {
                continue;
            }

            FlowTuple header = TupleOf(layer, layer.Protocol);
            int count = _detector.InspectWithoutFlow(header, Facts(layer, bytes, FlowState.New, toServer: true), bytes, default, _matches, out _, decoded: true);
            WriteAlertsWithoutFlow(packet, bytes, l, header, count);
        }
    }

    /// <summary>The tuple of a layer that has no flow, as its header gives it (<paramref name="protocol"/>: 44 for an IPv6 fragment).</summary>
    private static FlowTuple TupleOf(in PacketLayer layer, byte protocol) =>
        new(layer.IsIPv6, layer.Source, layer.Destination, layer.SourcePort, layer.DestinationPort, protocol, layer.Vlan0, layer.Vlan1, layer.Vlan2, layer.TunnelDepth);

    /// <summary>The alert records of a packet without a flow, matched on its layer <paramref name="layerIndex"/>.</summary>
    private void WriteAlertsWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes, int layerIndex, FlowTuple header, int count)
    {
        if (count == 0)
        {
            return;
        }

        // What every alert of the packet shares, read once.
        long timestamp = packet.Record.TimestampNanoseconds;
        PacketSource source = PacketSources.Of(packet, layerIndex);
        FlowTuple? root = PacketSources.Root(packet, layerIndex);
        EvePacketHeader eveHeader = EvePacketHeader.Of(packet, layerIndex, bytes);
        for (int i = 0; i < count; i++)
        {
            Rule rule = _matches[i]!;
            _matches[i] = null;
            _eve.WriteAlert(new AlertEvent
            {
                TimestampNanoseconds = timestamp,
                FlowId = 0,
                InterfaceName = _interfaceName,
                Packet = header,
                Flow = header,
                ToServer = true,
                Rule = rule,
                Blocked = _simulateIps && rule.Drops,
                PacketsToServer = 0,
                PacketsToClient = 0,
                BytesToServer = 0,
                BytesToClient = 0,
                FlowStartNanoseconds = timestamp,
                TunnelParentFlowId = 0,
                PcapCount = packet.Record.PacketNumber,
                Source = source,
                TunnelRoot = root,
                TunnelDepth = packet.Layers[layerIndex].TunnelDepth,
                Header = eveHeader,
            });
            _counters.CountAlert();
        }
    }

    /// <summary>
    /// Inline, the verdict on a packet without a flow: counted, and a dropped one's drop record
    /// written. One without IP (no <paramref name="tuple"/>) gets what Suricata writes for it: no
    /// addresses or header fields, only <c>ether</c> and the reason; a fragment no transport fields.
    /// </summary>
    private void ConcludeWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes, FlowTuple? tuple, in PacketVerdict verdict, Rule? rule)
    {
        Debug.Assert(_verdicts is not null, "inline only");
        CountVerdict(verdict);
        if (!verdict.Dropped || !_eve.WritesDrops)
        {
            return;
        }

        _eve.WriteDrop(new DropEvent
        {
            TimestampNanoseconds = packet.Record.TimestampNanoseconds,
            FlowId = 0,
            InterfaceName = _interfaceName,
            PcapCount = packet.Record.PacketNumber,
            Packet = tuple,
            Header = EvePacketHeader.Of(packet, tuple is null ? -1 : packet.LayerCount - 1, bytes),
            ToServer = true,
            Reason = verdict.Reason,
            Rejected = verdict.Rejected,
            FirstThisWay = true,
            Rule = rule,
            Bytes = bytes,
            NetworkOffset = tuple is null ? -1 : packet.Innermost.NetworkOffset,
            TransportOffset = tuple is null || (packet.Innermost.Flags & PacketLayerFlags.Fragment) != 0 ? -1 : packet.Innermost.TransportOffset,
            Source = PacketSources.Of(packet, packet.LayerCount - 1),
        });
    }

    /// <summary>One anomaly record per decoder event of the packet.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteAnomalies(in DecodedPacket packet, ReadOnlySpan<byte> bytes, long timestamp, long flowId, long parentId, FlowTuple? tuple, int layer, bool toServer, DetectionFlowState? state)
    {
        PacketSource source = PacketSources.Of(packet, layer);
        RecordPacket record = RecordPacket.Of(packet, layer, bytes);
        EvePacketHeader header = WithFlowMacs(EvePacketHeader.Of(packet, layer, bytes, record), state);
        for (int i = 0; i < packet.EventCount; i++)
        {
            _eve.WriteAnomaly(new AnomalyEvent
            {
                TimestampNanoseconds = timestamp,
                FlowId = flowId,
                TunnelParentFlowId = parentId,
                InterfaceName = _interfaceName,
                Packet = tuple,
                Event = DecoderEvents.AnomalyName(packet.EventCodes[i]),
                PcapCount = packet.Record.PacketNumber,
                LinkType = record.LinkType,
                Bytes = record.Of(bytes),
                Source = source,
                Header = header,
                ToServer = toServer,
            });
        }
    }

    /// <summary>One anomaly record of type stream per TCP stream event of the packet, after its decoder events (as Suricata keeps them in one list).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteStreamAnomalies(in DecodedPacket packet, ReadOnlySpan<StreamEvent> streamEvents, ReadOnlySpan<byte> bytes, long timestamp, long flowId, long parentId, FlowTuple tuple, bool toServer, DetectionFlowState state)
    {
        int layer = PacketSources.FlowLayer(packet);
        PacketSource source = PacketSources.Of(packet, layer);
        RecordPacket record = RecordPacket.Of(packet, layer, bytes);
        EvePacketHeader header = WithFlowMacs(EvePacketHeader.Of(packet, layer, bytes, record), state);
        foreach (StreamEvent streamEvent in streamEvents)
        {
            _eve.WriteAnomaly(new AnomalyEvent
            {
                TimestampNanoseconds = timestamp,
                FlowId = flowId,
                TunnelParentFlowId = parentId,
                InterfaceName = _interfaceName,
                Packet = tuple,
                Event = StreamEvents.AnomalyName(streamEvent),
                Type = AnomalyType.Stream,
                PcapCount = packet.Record.PacketNumber,
                LinkType = record.LinkType,
                Bytes = record.Of(bytes),
                Source = source,
                Header = header,
                ToServer = toServer,
            });
        }
    }

    /// <summary>An anomaly record of type applayer raised by protocol detection (<c>layer: proto_detect</c>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteApplayerAnomaly(in DecodedPacket packet, string name, DetectionFlowState state, ReadOnlySpan<byte> bytes, long timestamp, long flowId, long parentId, FlowTuple tuple, bool toServer)
    {
        int layer = PacketSources.FlowLayer(packet);
        _eve.WriteAnomaly(new AnomalyEvent
        {
            TimestampNanoseconds = timestamp,
            FlowId = flowId,
            TunnelParentFlowId = parentId,
            InterfaceName = _interfaceName,
            Packet = tuple,
            Event = name,
            Type = AnomalyType.Applayer,
            AppProtocol = state.App == AppProtocol.Unknown ? null : AppProtocolDetection.Name(state.App),
            Layer = "proto_detect",
            PcapCount = packet.Record.PacketNumber,
            LinkType = packet.Record.LinkType,
            Bytes = bytes,
            Source = PacketSources.Of(packet, layer),
            Header = WithFlowMacs(EvePacketHeader.Of(packet, layer, bytes), state),
            ToServer = toServer,
        });
    }

    /// <summary>A record's header, with its flow's first MACs for a packet without an Ethernet header of its own (<see cref="EvePacketHeader.OrFlowMacs"/>).</summary>
    private static EvePacketHeader WithFlowMacs(in EvePacketHeader header, DetectionFlowState? state) =>
        state is null ? header : header.OrFlowMacs(state.MacsSeen, state.ClientMac, state.ServerMac);

    /// <summary>An IP fragment's header fields: its IP header's; its transport header is not decoded (Suricata decodes a fragment no further).</summary>
    private static RulePacket FragmentFacts(in PacketLayer layer, ReadOnlySpan<byte> bytes)
    {
        int ttlOffset = layer.NetworkOffset + (layer.IsIPv6 ? 7 : 8);
        return RulePacket.Direction(toServer: true) with
        {
            Fragment = true,
            Ttl = ttlOffset < bytes.Length ? bytes[ttlOffset] : -1,
            NetworkOffset = layer.NetworkOffset,
        };
    }

    /// <summary>The header fields rules test, read from the innermost layer.</summary>
    private static RulePacket Facts(in PacketLayer layer, ReadOnlySpan<byte> bytes, FlowState flowState, bool toServer)
    {
        int ttlOffset = layer.NetworkOffset + (layer.IsIPv6 ? 7 : 8);

        // An ICMP error keyed to the flow it quotes carries the quoted protocol in the layer: its header is ICMP.
        bool error = (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0;
        bool icmp = error || layer.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6;
        bool echo = icmp && layer.IcmpType is 0 or 8 or 128 or 129 && layer.TransportOffset >= 0 && layer.TransportOffset + 8 <= bytes.Length;
        bool tcp = !error && layer.Protocol == IpProtocol.Tcp;
        return new RulePacket
        {
            ToServer = toServer,
            FlowState = flowState,
            Ttl = layer.NetworkOffset >= 0 && ttlOffset < bytes.Length ? bytes[ttlOffset] : -1,
            IcmpType = icmp ? layer.IcmpType : -1,
            IcmpCode = icmp ? layer.IcmpCode : -1,
            IcmpId = echo ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(layer.TransportOffset + 4)..]) : -1,
            IcmpSequence = echo ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(layer.TransportOffset + 6)..]) : -1,
            TcpFlags = tcp ? layer.TcpFlags : -1,
            TcpSequence = tcp ? layer.TcpSequence : -1,
            TcpAcknowledgement = tcp ? layer.TcpAcknowledgement : -1,
            NetworkOffset = layer.NetworkOffset,
            TransportOffset = layer.TransportOffset,
            PayloadOffset = layer.PayloadOffset,
        };
    }
}
