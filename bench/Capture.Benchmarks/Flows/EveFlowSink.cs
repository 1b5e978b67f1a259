using System.Buffers;
using System.Text.Json;
using FlowEngine.Output;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Writes each flow end as an EVE-like JSON line into a reused buffer (the cost of formatting a
/// flow record, without disk). Single-threaded use in the benchmark.
/// </summary>
internal sealed class EveFlowSink : IFlowEventSink
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    public EveFlowSink() => _writer = new Utf8JsonWriter(_buffer);

    public long Flows { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>False: count flow ends without formatting them (to separate the engine's share).</summary>
    public bool Enabled { get; init; } = true;

    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        if (!Enabled)
        {
            Flows++;
            return;
        }

        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteNumber("flow_id"u8, flowEnd.FlowId);
        _writer.WriteString("event_type"u8, "flow"u8);
        _writer.WriteNumber("src_port"u8, flowEnd.Tuple.SourcePort);
        _writer.WriteNumber("dest_port"u8, flowEnd.Tuple.DestinationPort);
        _writer.WriteNumber("proto"u8, flowEnd.Tuple.Protocol);
        _writer.WriteStartObject("flow"u8);
        _writer.WriteNumber("pkts_toserver"u8, flowEnd.PacketsToServer);
        _writer.WriteNumber("pkts_toclient"u8, flowEnd.PacketsToClient);
        _writer.WriteNumber("bytes_toserver"u8, flowEnd.BytesToServer);
        _writer.WriteNumber("bytes_toclient"u8, flowEnd.BytesToClient);
        _writer.WriteNumber("start"u8, flowEnd.StartNanoseconds);
        _writer.WriteNumber("end"u8, flowEnd.EndNanoseconds);
        _writer.WriteString("state"u8, flowEnd.StateName);
        _writer.WriteString("reason"u8, flowEnd.ReasonName);
        if (flowEnd.BypassName is { } bypass)
        {
            _writer.WriteString("bypass"u8, bypass);
        }
        _writer.WriteBoolean("alerted"u8, flowEnd.Alerted);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        _writer.Flush();
        Flows++;
        Bytes += _buffer.WrittenCount;
    }
}
