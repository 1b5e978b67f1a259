using System.Buffers;
using System.Text.Json;
using Capture.Abstractions;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace Detect.Sample.Output;

/// <summary>
/// Writes EVE JSON, one object per line, into a buffered file. Callers come from several worker
/// threads; one lock serialises events (per event, never per packet).
/// </summary>
internal sealed class EveWriter : IDisposable
{
    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly ArrayBufferWriter<byte> _event = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly EveSettings _settings;
    private readonly EveFlowLine _flowLine;
    private bool _disposed;

    public EveWriter(string path, EveSettings settings)
    {
        Path = path;
        _settings = settings;
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        // Events are built in memory and copied into the buffered file: a Utf8JsonWriter over the
        // stream itself would flush the file (a system call) on every event.
        _json = new Utf8JsonWriter(_event, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _flowLine = new EveFlowLine(System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    public string Path { get; }

    public EveSettings Settings => _settings;

    public long FlowEvents { get; private set; }

    public long AlertEvents { get; private set; }

    public long StatsEvents { get; private set; }

    public void WriteFlow(in FlowEndEvent flow)
    {
        if (!_settings.Flow)
        {
            return;
        }

        string? communityId = _settings.CommunityId ? CommunityId.Compute(flow.Tuple, _settings.CommunityIdSeed) : null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            // Assembled directly (the same bytes the JSON writer gives): one flow event per flow end.
            _file.Write(_flowLine.Format(in flow, communityId, _settings.Ethernet));
            FlowEvents++;
        }
    }

    public void WriteAlert(in AlertEvent alert)
    {
        if (!_settings.Alert)
        {
            return;
        }

        string? communityId = _settings.CommunityId ? CommunityId.Compute(alert.Flow, _settings.CommunityIdSeed) : null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Utf8JsonWriter w = _json;
            w.WriteStartObject();
            EveFormat.WriteTimestamp(w, "timestamp", alert.TimestampNanoseconds);
            w.WriteNumber("flow_id", alert.FlowId);
            if (alert.TunnelParentFlowId != 0)
            {
                w.WriteNumber("parent_id", alert.TunnelParentFlowId);
            }

            w.WriteString("in_iface", alert.InterfaceName);
            w.WriteString("event_type", "alert");
            WriteVlan(w, alert.Flow, alert.VlanCount);
            WriteTuple(w, alert.Packet);
            if (communityId is not null)
            {
                w.WriteString("community_id", communityId);
            }

            w.WriteString("direction", alert.ToServer ? "to_server" : "to_client");
            w.WriteStartObject("alert");
            w.WriteString("action", "allowed");
            w.WriteNumber("gid", alert.Rule.Gid);
            w.WriteNumber("signature_id", alert.Rule.Sid);
            w.WriteNumber("rev", alert.Rule.Rev);
            w.WriteString("signature", alert.Rule.Message);
            w.WriteString("category", alert.Rule.Category);
            w.WriteNumber("severity", alert.Rule.Severity);
            w.WriteEndObject();
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
            w.WriteEndObject();
            EndEvent();
            AlertEvents++;
        }
    }

    /// <summary>Writes a stats event; dotted counter names become nested objects (<c>decoder.ipv4</c> → <c>{"decoder":{"ipv4":N}}</c>).</summary>
    public void WriteStats(long timestampNanoseconds, long uptimeSeconds, IEnumerable<StatsCounter> counters)
    {
        if (!_settings.Stats)
        {
            return;
        }

        StatsTree tree = StatsTree.Build(counters);
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
            w.WriteEndObject();
            EndEvent();
            StatsEvents++;
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _file.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _json.Dispose();
            _file.Dispose();
        }
    }

    private static void WriteVlan(Utf8JsonWriter w, in FlowTuple tuple, int count)
    {
        if (count <= 0)
        {
            return;
        }

        w.WriteStartArray(EveNames.Vlan);
        w.WriteNumberValue(tuple.Vlan0);
        if (count > 1)
        {
            w.WriteNumberValue(tuple.Vlan1);
        }

        if (count > 2)
        {
            w.WriteNumberValue(tuple.Vlan2);
        }

        w.WriteEndArray();
    }

    private static void WriteTuple(Utf8JsonWriter w, in FlowTuple tuple)
    {
        EveFormat.WriteAddress(w, EveNames.SourceIp, tuple.Source, tuple.IsIPv6);
        if (EveFormat.HasPorts(tuple.Protocol))
        {
            w.WriteNumber(EveNames.SourcePort, tuple.SourcePort);
        }

        EveFormat.WriteAddress(w, EveNames.DestinationIp, tuple.Destination, tuple.IsIPv6);
        if (EveFormat.HasPorts(tuple.Protocol))
        {
            w.WriteNumber(EveNames.DestinationPort, tuple.DestinationPort);
        }

        EveFormat.WriteProtocol(w, EveNames.Proto, tuple.Protocol);
    }

    private void EndEvent()
    {
        _json.Flush();
        _file.Write(_event.WrittenSpan);
        _file.WriteByte((byte)'\n');
        _event.ResetWrittenCount();
        _json.Reset();
    }
}
