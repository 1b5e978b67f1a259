using System.Text.Encodings.Web;
using Detect.Sample.Output;
using FlowEngine.Output;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Formats each flow end with the sample host's full EVE flow line (timestamp, addresses, ports,
/// protocol name, counters, start/end/age, state, reason, TCP flags: what Suricata writes), into
/// its reused buffer, without disk. The pipeline measured with the record an EVE consumer reads.
/// </summary>
internal sealed class EveLineSink : IFlowEventSink
{
    private readonly EveFlowLine _line = new(JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    private int _length;

    public long Flows { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>The last line's length (for checks).</summary>
    public int LastLength => _length;

    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        _length = _line.Format(in flowEnd, communityId: default, ethernet: false, inIface: true).Length;
        Flows++;
        Bytes += _length;
    }
}
