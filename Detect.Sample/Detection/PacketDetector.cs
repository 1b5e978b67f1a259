using Capture.Abstractions;
using FlowEngine.Decode;

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

    // The lists of the rule groups.
    private const int PassList = 0;
    private const int AlertList = 1;

    /// <summary>Payload packets of a flow protocol detection looks at before it gives up.</summary>
    private const int AppDetectionPackets = 4;

    /// <summary>Room for buffers normalised per packet (http.host); per thread, as the detector serves every worker.</summary>
    [ThreadStatic]
    private static byte[]? t_scratch;

    private readonly HostBitTable _hosts = new();

    public PacketDetector(RuleSet rules, DetectionOptions settings)
    {
        // As Suricata orders them: rules that only set flowbits run before the rules that test them.
        _alertRules = [.. rules.Rules.Where(r => r.Action != RuleAction.Pass).OrderBy(r => r.SetsFlowbitsOnly ? 0 : 1)];
        _passRules = [.. rules.Rules.Where(r => r.Action == RuleAction.Pass)];
        _eventRules = [.. _alertRules.Where(r => r.DecodeEvent is not null)];
        _groups = new RuleGroups(_passRules, _alertRules);
        _settings = settings;
        _flowbitCount = rules.FlowbitCount;
    }

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
    public int Inspect(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, DetectionFlowState state, Span<Rule?> matches, out BypassReason bypass)
    {
        bool toServer = facts.ToServer;
        bypass = BypassReason.None;
        if (state.Passed || state.BypassRequested || state.Dropped)
        {
            return 0;
        }

        DetectApp(packet.Protocol, toServer ? packet.DestinationPort : packet.SourcePort, toServer, payload, state);

        var buffers = new PacketBuffers(payload, packetBytes, facts, packet.Protocol, packet.IsIPv6, state.App, t_scratch ??= new byte[1024], events);
        int cell = _groups.Cell(packet.Protocol, packet.IsIPv6, packet.SourcePort, packet.DestinationPort);
        foreach (Rule rule in _groups.Rules(PassList, cell))
        {
            if (rule.Matches(packet, facts, ref buffers, state, _hosts))
            {
                state.Apply(rule.Flowbits, _flowbitCount);
                _hosts.Apply(rule.Hostbits, packet);
                state.Passed = true;
                if (rule.Bypass)
                {
                    // Suricata's "pass ... bypass": stop inspecting and have the flow bypassed.
                    bypass = BypassReason.Rule;
                    state.BypassRequested = true;
                }

                return 0;
            }
        }

        int count = 0;
        foreach (Rule rule in _groups.Rules(AlertList, cell))
        {
            if (count < matches.Length && rule.Matches(packet, facts, ref buffers, state, _hosts))
            {
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
                }
            }
        }

        if (count > 0)
        {
            state.Alerted = true;
        }

        if (packet.Protocol == IpProtocol.Tcp && !payload.IsEmpty && bypass == BypassReason.None)
        {
            bypass = TrackStream(toServer, payload, state);
        }

        if (bypass != BypassReason.None)
        {
            state.BypassRequested = true;
        }

        return count;
    }

    /// <summary>Whether some rule can match a packet with this header (<see cref="RuleGroups"/>).</summary>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The address family.</param>
    /// <param name="sourcePort">The sender's port.</param>
    /// <param name="destinationPort">The receiver's port.</param>
    /// <returns>False when no rule can match it.</returns>
    public bool HasCandidates(byte protocol, bool isIPv6, ushort sourcePort, ushort destinationPort) =>
        _groups.HasCandidates(_groups.Cell(protocol, isIPv6, sourcePort, destinationPort));

    /// <summary>
    /// <see cref="Inspect(in FlowTuple, in RulePacket, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{ushort}, DetectionFlowState, Span{Rule?}, out BypassReason)"/>
    /// for a packet no rule can match (<see cref="HasCandidates"/> said so): protocol detection and the
    /// stream's tracking, which need no more of the packet than its protocol and server port.
    /// </summary>
    /// <returns>The reason to bypass the flow now, or <see cref="BypassReason.None"/>.</returns>
    public BypassReason InspectWithoutCandidates(byte protocol, ushort serverPort, bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state)
    {
        if (state.Passed || state.BypassRequested || state.Dropped)
        {
            return BypassReason.None;
        }

        DetectApp(protocol, serverPort, toServer, payload, state);
        BypassReason bypass = protocol == IpProtocol.Tcp && !payload.IsEmpty ? TrackStream(toServer, payload, state) : BypassReason.None;
        if (bypass != BypassReason.None)
        {
            state.BypassRequested = true;
        }

        return bypass;
    }

    private static void DetectApp(byte protocol, ushort serverPort, bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state)
    {
        if (state.App == AppProtocol.Unknown && !payload.IsEmpty && state.AppDetectionAttempts < AppDetectionPackets)
        {
            state.AppDetectionAttempts++;
            state.App = AppProtocolDetection.Detect(protocol, serverPort, toServer, payload);
        }
    }

    /// <summary>
    /// Inspects a packet without a flow (it failed to decode) that raised decoder events: only the
    /// decode-event rules can match it, with no flow state and no payload.
    /// </summary>
    public int InspectWithoutFlow(in FlowTuple packet, in RulePacket facts, ReadOnlySpan<byte> packetBytes, ReadOnlySpan<ushort> events, Span<Rule?> matches)
    {
        var buffers = new PacketBuffers(default, packetBytes, facts, packet.Protocol, packet.IsIPv6, AppProtocol.Unknown, t_scratch ??= new byte[1024], events);
        int count = 0;
        foreach (Rule rule in _eventRules)
        {
            if (count < matches.Length && rule.Flowbits.Count == 0 && rule.Matches(packet, facts, ref buffers, flowbits: null, _hosts))
            {
                _hosts.Apply(rule.Hostbits, packet);
                matches[count++] = rule;
            }
        }

        return count;
    }

    private BypassReason TrackStream(bool toServer, ReadOnlySpan<byte> payload, DetectionFlowState state)
    {
        long seen = toServer ? state.StreamBytesToServer += payload.Length : state.StreamBytesToClient += payload.Length;
        if (_settings.TlsBypass)
        {
            if (toServer)
            {
                state.TlsToServer.Process(payload);
            }
            else
            {
                state.TlsToClient.Process(payload);
            }

            // The handshake is over when both sides changed cipher spec and encrypted
            // application data flows: from here on the payload is opaque.
            if (state.TlsToServer.SawChangeCipherSpec && state.TlsToClient.SawChangeCipherSpec
                && !state.TlsToServer.NotTls && !state.TlsToClient.NotTls
                && (state.TlsToServer.SawApplicationData || state.TlsToClient.SawApplicationData))
            {
                return BypassReason.Tls;
            }
        }

        return _settings.StreamBypass && _settings.StreamDepth > 0 && seen >= _settings.StreamDepth ? BypassReason.StreamDepth : BypassReason.None;
    }
}
