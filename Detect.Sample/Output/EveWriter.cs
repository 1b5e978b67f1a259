using System.Buffers;
using System.Text.Json;
using Capture.Abstractions;
using Detect.Sample.Detection;
using FlowEngine.Flows;
using FlowEngine.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Output;

/// <summary>
/// Writes EVE JSON, one object per line, into a buffered log file that is flushed at least every
/// <see cref="EveWriterOptions.FlushInterval"/> (so that <c>tail -f</c> follows the run). Callers come
/// from several threads (flow events from the flow-end queue's output thread, alerts from the
/// workers, stats from the host); one lock serialises events (per event, never per packet). A
/// failed write is logged once, its events counted as lost, and writing goes on (or the run is
/// stopped, <see cref="EveWriterOptions.StopOnWriteError"/>).
/// </summary>
internal sealed partial class EveWriter : IDisposable
{
    /// <summary>
    /// The file's buffer: a run that ends 100,000 flows writes ~64 MB of flow lines, and the
    /// kernel's page-cache work for them is ~13 ms in 256 KB writes against ~19 ms in 64 KB ones
    /// (ext4; writes that start and end inside a page split the page cache's large folios). Megabyte
    /// writes saved ~1.5 ms more for four times the memory. The flush timer still writes what is
    /// buffered at least every <see cref="EveWriterOptions.FlushInterval"/>.
    /// </summary>
    private const int FileBufferSize = 1 << 18;

    private readonly Lock _lock = new();
    private readonly IEveDestination _file;
    private readonly ArrayBufferWriter<byte> _event = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly EveWriterOptions _settings;
    private readonly EveFlowLine _flowLine;
    private readonly ILogger _logger;
    private readonly Action? _stop;
    private readonly ITimer? _flushTimer;
    private bool _disposed;

    /// <summary>Opens (creating) <see cref="EveWriterOptions.FileName"/> in the log directory.</summary>
    /// <param name="directory">The log directory.</param>
    /// <param name="settings">What to write and how.</param>
    /// <param name="logger">Where write failures are reported.</param>
    /// <param name="stop">Stops the run when a write fails and <see cref="EveWriterOptions.StopOnWriteError"/> is set.</param>
    /// <param name="clock">The flush timer's clock.</param>
    /// <exception cref="IOException">The file cannot be opened; the message says why.</exception>
    public EveWriter(LogDirectory directory, EveWriterOptions settings, ILogger? logger = null, Action? stop = null, TimeProvider? clock = null)
        : this(new LogFile(directory, settings.FileName, settings.Append, settings.FileMode, FileBufferSize), settings, logger, stop, clock)
    {
    }

    /// <summary>Writes into <paramref name="destination"/> (a Redis server, <see cref="EveRedisDestination"/>), which the writer then owns.</summary>
    public EveWriter(IEveDestination destination, EveWriterOptions settings, ILogger? logger = null, Action? stop = null, TimeProvider? clock = null)
    {
        _settings = settings;
        _logger = logger ?? NullLogger.Instance;
        _stop = stop;
        _file = destination;
        // Events are built in memory and copied into the file's buffer: a Utf8JsonWriter over a
        // stream would flush it (a system call) on every event.
        _json = new Utf8JsonWriter(_event, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _flowLine = new EveFlowLine(System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, settings.Host) { WritesExceptionPolicy = settings.FlowExceptionPolicy };
        if (settings.FlushInterval > TimeSpan.Zero)
        {
            _flushTimer = (clock ?? TimeProvider.System).CreateTimer(_ => Flush(), null, settings.FlushInterval, settings.FlushInterval);
        }
    }

    public string Path => _file.Path;

    /// <summary>Events that reached the file.</summary>
    public long EventsWritten
    {
        get
        {
            lock (_lock)
            {
                return _file.LinesWritten;
            }
        }
    }

    /// <summary>Events lost to write failures.</summary>
    public long EventsLost
    {
        get
        {
            lock (_lock)
            {
                return _file.LinesLost;
            }
        }
    }

    /// <summary>The first write failure's cause, or null.</summary>
    public string? WriteError
    {
        get
        {
            lock (_lock)
            {
                return _file.FirstError;
            }
        }
    }

    public EveWriterOptions Options => _settings;

    public long FlowEvents { get; private set; }

    public long AlertEvents { get; private set; }

    public long StatsEvents { get; private set; }

    public void WriteFlow(in FlowEndEvent flow) => WriteFlows(new ReadOnlySpan<FlowEndEvent>(in flow));

    /// <summary>
    /// Writes flow events four at a time: their community ids hashed side by side
    /// (<see cref="CommunityId.FormatFour"/>), their lines under one lock.
    /// </summary>
    public void WriteFlows(ReadOnlySpan<FlowEndEvent> flows)
    {
        if (!_settings.Flow)
        {
            return;
        }

        Span<byte> communityIds = stackalloc byte[4 * CommunityId.Utf8Length];
        while (!flows.IsEmpty)
        {
            int count = Math.Min(flows.Length, 4);
            if (_settings.CommunityId)
            {
                FormatCommunityIds(flows[..count], communityIds);
            }

            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                for (int i = 0; i < count; i++)
                {
                    // Assembled directly (the same bytes the JSON writer gives): one flow event per flow end.
                    ReadOnlySpan<byte> communityId = _settings.CommunityId ? communityIds.Slice(i * CommunityId.Utf8Length, CommunityId.Utf8Length) : default;
                    WriteFlowLine(in flows[i], communityId);
                    FlowEvents++;
                }
            }

            flows = flows[count..];
        }
    }

    /// <summary>A flow line, formatted straight into the log file's buffer where the destination is one.</summary>
    private void WriteFlowLine(in FlowEndEvent flow, ReadOnlySpan<byte> communityId)
    {
        if (_file is LogFile file)
        {
            ArraySegment<byte> room = file.Reserve(_flowLine.MaxLength(flow, communityId.Length), out WriteOutcome outcome);
            if (room.Count > 0)
            {
                file.Commit(_flowLine.Format(flow, communityId, _settings.Ethernet, _settings.InIface, room));
                Report(outcome);
                return;
            }
        }

        Report(_file.Append(_flowLine.Format(flow, communityId, _settings.Ethernet, _settings.InIface)));
    }

    public void WriteAlert(in AlertEvent alert)
    {
        if (!_settings.Alert)
        {
            return;
        }

        string? communityId = CommunityIdOf(alert.FlowId, alert.Flow);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Utf8JsonWriter w = _json;
            WriteEventStart(w, alert.TimestampNanoseconds, alert.FlowId, alert.TunnelParentFlowId, alert.InterfaceName, alert.PcapCount, "alert");
            alert.Header.WriteVlan(w);
            WritePacketHeader(w, alert.Packet, alert.Header, alert.Source, communityId);
            WriteAlertObject(w, alert.Rule, alert.Blocked, alert.PacketVariables);
            if (alert.TunnelRoot is { } root)
            {
                WriteTunnel(w, root, alert.TunnelDepth, alert.PcapCount);
            }

            WriteVariables(w, alert.FlowVariables, alert.PacketVariables);

            if (alert.AppProtocol is { } app)
            {
                w.WriteString("app_proto", app);
            }

            // A packet without a flow (one that failed to decode): Suricata writes no direction and no flow object.
            if (alert.FlowId != 0)
            {
                w.WriteString("direction", alert.ToServer ? "to_server" : "to_client");
                w.WriteStartObject("flow");
                w.WriteNumber("pkts_toserver", alert.PacketsToServer);
                w.WriteNumber("pkts_toclient", alert.PacketsToClient);
                w.WriteNumber("bytes_toserver", alert.BytesToServer);
                w.WriteNumber("bytes_toclient", alert.BytesToClient);
                EveFormat.WriteTimestamp(w, "start", alert.FlowStartNanoseconds);
                EveFormat.WriteAddress(w, "src_ip", alert.Flow.Source, alert.Flow.IsIPv6);
                EveFormat.WriteAddress(w, "dest_ip", alert.Flow.Destination, alert.Flow.IsIPv6);
                if (EveFormat.HasPorts(alert.Flow.Protocol))
                {
                    w.WriteNumber("src_port", alert.Flow.SourcePort);
                    w.WriteNumber("dest_port", alert.Flow.DestinationPort);
                }

                w.WriteEndObject();
            }

            if (alert.CaptureFile is not null)
            {
                w.WriteString("capture_file", alert.CaptureFile);
            }

            WriteHost(w);
            w.WriteEndObject();
            EndEvent();
            AlertEvents++;
        }
    }

    /// <summary>Whether any anomaly record is written: callers skip building them otherwise.</summary>
    public bool WritesAnomalies => _settings.AnomalyDecode || _settings.AnomalyStream || _settings.AnomalyApplayer;

    /// <summary>Whether anomaly records of <paramref name="type"/> are written (<c>anomaly.types</c>).</summary>
    public bool WritesAnomaly(AnomalyType type) => type switch
    {
        AnomalyType.Decode => _settings.AnomalyDecode,
        AnomalyType.Stream => _settings.AnomalyStream,
        _ => _settings.AnomalyApplayer,
    };

    /// <summary>Writes an <c>anomaly</c> record, as Suricata's anomaly logger does, when its type is switched on.</summary>
    public void WriteAnomaly(in AnomalyEvent anomaly)
    {
        if (!WritesAnomaly(anomaly.Type))
        {
            return;
        }

        string? communityId = anomaly.Packet is { } tuple ? CommunityIdOf(anomaly.FlowId, anomaly.ToServer ? tuple : tuple.Reverse()) : null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Utf8JsonWriter w = _json;
            WriteEventStart(w, anomaly.TimestampNanoseconds, anomaly.FlowId, anomaly.TunnelParentFlowId, anomaly.InterfaceName, anomaly.PcapCount, "anomaly");
            anomaly.Header.WriteVlan(w);
            WritePacketHeader(w, anomaly.Packet, anomaly.Header, anomaly.Source, communityId);
            w.WriteStartObject("anomaly");
            switch (anomaly.Type)
            {
                case AnomalyType.Decode:
                    w.WriteString("type", "decode");
                    w.WriteString("event", anomaly.Event);
                    break;
                case AnomalyType.Stream:
                    w.WriteString("type", "stream");
                    w.WriteString("event", anomaly.Event);
                    break;
                default:
                    w.WriteString("app_proto", anomaly.AppProtocol ?? "unknown");
                    w.WriteString("type", "applayer");
                    w.WriteString("event", anomaly.Event);
                    w.WriteString("layer", anomaly.Layer);
                    break;
            }

            w.WriteEndObject();
            if (_settings.AnomalyPacketHeader && _settings.AnomalyDecode && anomaly.Type != AnomalyType.Applayer)
            {
                // Suricata's packethdr: the first 32 bytes of the packet, after the anomaly object, on
                // decoder and stream records only (its application-layer records carry none), and
                // only with decode records on (it clears packethdr otherwise, with a warning).
                w.WriteBase64String("packet", anomaly.Bytes[..Math.Min(anomaly.Bytes.Length, 32)]);
                int datalink = Datalinks.Value(anomaly.LinkType);
                w.WriteStartObject("packet_info");
                w.WriteNumber("linktype", datalink);
                w.WriteString("linktype_name", Datalinks.Name(datalink));
                w.WriteEndObject();
            }

            WriteHost(w);
            w.WriteEndObject();
            EndEvent();
        }
    }

    /// <summary>
    /// Writes a stats event; dotted counter names become nested objects (<c>decoder.ipv4</c> →
    /// <c>{"decoder":{"ipv4":N}}</c>). This host's own counters are left out unless
    /// <see cref="EveWriterOptions.HostCounters"/> is set.
    /// </summary>
    public void WriteStats(long timestampNanoseconds, long uptimeSeconds, ReadOnlySpan<StatsCounter> counters)
    {
        if (!_settings.Stats)
        {
            return;
        }

        StatsTree tree = StatsTree.Build(counters, hostCounters: _settings.HostCounters);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Utf8JsonWriter w = _json;
            w.WriteStartObject();
            EveFormat.WriteTimestamp(w, "timestamp", timestampNanoseconds);
            w.WriteString("event_type", "stats");
            w.WriteStartObject("stats");
            w.WriteNumber("uptime", uptimeSeconds);
            tree.WriteMembers(w);
            w.WriteEndObject();
            WriteHost(w);
            w.WriteEndObject();
            EndEvent();
            StatsEvents++;
        }
    }

    /// <summary>Writes the buffered events to the file.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Report(_file.Flush());
            }
        }
    }

    /// <summary>
    /// Writes the buffered events, then reopens the file by name (SIGHUP after log rotation).
    /// </summary>
    public void Reopen()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                Report(_file.Reopen());
                EveLog.Reopened(_logger, _file.Path);
            }
            catch (IOException e)
            {
                EveLog.ReopenFailed(_logger, _file.Path, e.Message);
            }
        }
    }

    public void Dispose()
    {
        _flushTimer?.Dispose();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Report(_file.Flush());
            _disposed = true;
            _json.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>The community ids of one to four flows; two or more are hashed side by side (a missing lane repeats the last flow).</summary>
    private void FormatCommunityIds(ReadOnlySpan<FlowEndEvent> flows, Span<byte> communityIds)
    {
        ushort seed = _settings.CommunityIdSeed;
        if (flows.Length == 1)
        {
            CommunityId.Format(flows[0].Tuple, seed, communityIds);
            return;
        }

        int last = flows.Length - 1;
        CommunityId.FormatFour(flows[0].Tuple, flows[1].Tuple, flows[Math.Min(2, last)].Tuple, flows[Math.Min(3, last)].Tuple, seed, communityIds);
    }

    /// <summary>
    /// Opens a record made from a packet as Suricata's <c>CreateEveHeader</c> does: <c>timestamp</c>;
    /// for a packet of a flow <c>flow_id</c>, and <c>parent_id</c> when the flow is a tunnel's;
    /// <c>in_iface</c> on live runs (every packet has a capture device there); <c>pcap_cnt</c> when
    /// read from a file; <c>event_type</c>.
    /// </summary>
    private void WriteEventStart(Utf8JsonWriter w, long timestampNanoseconds, long flowId, long parentId, string interfaceName, uint pcapCount, string eventType)
    {
        w.WriteStartObject();
        EveFormat.WriteTimestamp(w, "timestamp", timestampNanoseconds);
        if (flowId != 0)
        {
            w.WriteNumber("flow_id", flowId);
            if (parentId != 0)
            {
                w.WriteNumber("parent_id", parentId);
            }
        }

        if (_settings.InIface)
        {
            w.WriteString("in_iface", interfaceName);
        }

        if (pcapCount != 0)
        {
            w.WriteNumber("pcap_cnt", pcapCount);
        }

        w.WriteString("event_type", eventType);
    }

    /// <summary>The <c>alert</c> object of an alert (and of a drop record with <c>alerts: yes</c>), with the rule's captured alert variables as <c>context</c>.</summary>
    private static void WriteAlertObject(Utf8JsonWriter w, Detection.Rule rule, bool blocked, IReadOnlyList<CapturedVariable>? variables = null)
    {
        w.WriteStartObject("alert");
        w.WriteString("action", blocked ? "blocked" : "allowed");
        w.WriteNumber("gid", rule.Gid);
        w.WriteNumber("signature_id", rule.Sid);
        w.WriteNumber("rev", rule.Rev);
        w.WriteString("signature", rule.Message);
        w.WriteString("category", rule.Category);
        w.WriteNumber("severity", rule.Severity);
        if (variables is not null && variables.Any(v => v.Kind == PcreCaptureKind.Alert && v.Sid == rule.Sid))
        {
            w.WriteStartObject("context");
            foreach (CapturedVariable variable in variables)
            {
                if (variable.Kind == PcreCaptureKind.Alert && variable.Sid == rule.Sid)
                {
                    w.WriteString(variable.Name, variable.Value);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Suricata's <c>metadata</c> object of an alert: the flow's variables and the packet's (pcre captures), each a one-key object.</summary>
    private static void WriteVariables(Utf8JsonWriter w, IReadOnlyList<CapturedVariable>? flowVariables, IReadOnlyList<CapturedVariable>? packetVariables)
    {
        bool flow = flowVariables is { Count: > 0 };
        bool packet = packetVariables is not null && packetVariables.Any(v => v.Kind == PcreCaptureKind.Packet);
        if (!flow && !packet)
        {
            return;
        }

        w.WriteStartObject("metadata");
        WriteVariableList(w, "flowvars", flowVariables, PcreCaptureKind.Flow);
        WriteVariableList(w, "pktvars", packetVariables, PcreCaptureKind.Packet);
        w.WriteEndObject();
    }

    private static void WriteVariableList(Utf8JsonWriter w, string name, IReadOnlyList<CapturedVariable>? variables, PcreCaptureKind kind)
    {
        if (variables is null || !variables.Any(v => v.Kind == kind))
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (CapturedVariable variable in variables)
        {
            if (variable.Kind == kind)
            {
                w.WriteStartObject();
                w.WriteString(variable.Name, variable.Value);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// The rest of Suricata's EVE header of a record made from a packet (<c>CreateEveHeader</c>, after
    /// <c>vlan</c>): the addresses and ports (no ports in a fragment; nothing without IP), <c>proto</c>,
    /// <c>ip_v</c>, the ICMP type and code, <c>pkt_src</c>, then its common options <c>ether</c> and
    /// <c>community_id</c> (given for a packet of a flow). An ICMP error keyed to the flow it quotes
    /// is named by its own addresses and protocol (<see cref="EvePacketHeader.IcmpError"/>), as Suricata's
    /// header names the packet; its flow_id and community_id stay the flow's.
    /// </summary>
    private void WritePacketHeader(Utf8JsonWriter w, FlowTuple? packet, in EvePacketHeader header, PacketSource source, string? communityId)
    {
        if ((header.IcmpError ?? packet) is { } tuple)
        {
            bool ports = EveFormat.HasPorts(tuple.Protocol) && !header.Fragment;
            EveFormat.WriteAddress(w, EveNames.SourceIp, tuple.Source, tuple.IsIPv6);
            if (ports)
            {
                w.WriteNumber(EveNames.SourcePort, tuple.SourcePort);
            }

            EveFormat.WriteAddress(w, EveNames.DestinationIp, tuple.Destination, tuple.IsIPv6);
            if (ports)
            {
                w.WriteNumber(EveNames.DestinationPort, tuple.DestinationPort);
            }

            EveFormat.WriteProtocol(w, EveNames.Proto, tuple.Protocol);
            w.WriteNumber("ip_v", tuple.IsIPv6 ? 6 : 4);
            if (header.HasIcmp)
            {
                w.WriteNumber("icmp_type", header.IcmpType);
                w.WriteNumber("icmp_code", header.IcmpCode);
            }
        }

        WritePacketSource(w, source);
        if (_settings.Ethernet && header.HasEther)
        {
            Span<byte> mac = stackalloc byte[17];
            w.WriteStartObject("ether");
            if (!header.FlowMacs)
            {
                w.WriteNumber("ether_type", header.EtherType);
            }

            EveFormat.FormatMac(header.SourceMac, mac);
            w.WriteString("src_mac", mac);
            EveFormat.FormatMac(header.DestinationMac, mac);
            w.WriteString("dest_mac", mac);
            w.WriteEndObject();
        }

        if (communityId is not null)
        {
            w.WriteString("community_id", communityId);
        }
    }

    /// <summary>A record's <c>community_id</c>: for a packet of a flow (<paramref name="flow"/> client first), when switched on.</summary>
    private string? CommunityIdOf(long flowId, in FlowTuple flow) =>
        _settings.CommunityId && flowId != 0 ? CommunityId.Compute(flow, _settings.CommunityIdSeed) : null;

    /// <summary>
    /// An alert's <c>tunnel</c> object, as Suricata writes it for a tunnel's inner packet or a
    /// reassembled datagram: the captured packet's addresses, ports (always, 0 without), protocol
    /// and <c>pcap_cnt</c>, the alerted packet's depth, and the captured packet's <c>pkt_src</c>.
    /// </summary>
    private static void WriteTunnel(Utf8JsonWriter w, in FlowTuple root, int depth, uint pcapCount)
    {
        w.WriteStartObject("tunnel");
        EveFormat.WriteAddress(w, EveNames.SourceIp, root.Source, root.IsIPv6);
        w.WriteNumber(EveNames.SourcePort, root.SourcePort);
        EveFormat.WriteAddress(w, EveNames.DestinationIp, root.Destination, root.IsIPv6);
        w.WriteNumber(EveNames.DestinationPort, root.DestinationPort);
        EveFormat.WriteProtocol(w, EveNames.Proto, root.Protocol);
        w.WriteNumber("depth", depth);
        if (pcapCount != 0)
        {
            w.WriteNumber("pcap_cnt", pcapCount);
        }

        WritePacketSource(w, PacketSource.Wire);
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>pkt_src</c>, which Suricata writes on every record made from a packet (its EVE header, after
    /// the addresses), not on flow or stats records.
    /// </summary>
    private static void WritePacketSource(Utf8JsonWriter w, PacketSource source) =>
        w.WriteString(EveNames.PacketSource, PacketSources.Utf8(source));

    /// <summary>Suricata writes the sensor's name last in every event, when one is configured.</summary>
    private void WriteHost(Utf8JsonWriter w)
    {
        if (_settings.Host is { } host)
        {
            w.WriteString("host", host);
        }
    }

    private void EndEvent()
    {
        _json.Flush();
        _event.Write("\n"u8);
        Report(_file.Append(_event.WrittenSpan));
        _event.ResetWrittenCount();
        _json.Reset();
    }

    private void Report(WriteOutcome outcome)
    {
        bool stopping = _settings.StopOnWriteError && _stop is not null;
        if (EveLog.Report(_logger, _file, outcome, stopping ? "stopping the run" : "capture goes on; events are counted as lost until writing works again") && stopping)
        {
            // Not under the writer's lock: stopping ends flows, which write events.
            Action stop = _stop!;
            ThreadPool.QueueUserWorkItem(_ => stop());
        }
    }
}
