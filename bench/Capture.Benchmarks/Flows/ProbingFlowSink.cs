using System.Diagnostics;
using FlowEngine.Output;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Passes flow ends to the measured sink and, while <see cref="Probing"/>, times every 1,024 of
/// them (the engine's end of each flow and the sink's line) with the core-speed probe on either
/// side: ending every flow at a round's end takes 20-35 ms, longer than the host's full-speed
/// stretches, so it has to be read in pieces, as the blocks are.
/// </summary>
/// <param name="inner">The sink measured.</param>
/// <param name="probe">The core-speed probe.</param>
/// <param name="spans">Room for every span of the run, so that timing allocates nothing.</param>
internal sealed class ProbingFlowSink(IFlowEventSink inner, CoreSpeedProbe probe, int spans) : IFlowEventSink
{
    private const int FlowsPerSpan = 1024;

    private readonly List<ProbedSpan> _spans = new(spans);
    private int _flows;
    private long _start;

    /// <summary>Timed spans: wall ns per flow ended, and the slower probe around them.</summary>
    public IReadOnlyList<ProbedSpan> Spans => _spans;

    /// <summary>Whether flow ends are being timed (the round's end of every flow, in counted rounds).</summary>
    public bool Probing { get; private set; }

    public void Begin()
    {
        probe.Open();
        _flows = 0;
        Probing = true;
        _start = Stopwatch.GetTimestamp();
    }

    public void End()
    {
        if (_flows > 0)
        {
            _spans.Add(probe.Close(_start, _flows));
        }

        Probing = false;
    }

    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        inner.OnFlowEnd(in flowEnd);
        if (Probing && ++_flows == FlowsPerSpan)
        {
            _spans.Add(probe.Close(_start, _flows));
            _flows = 0;
            _start = Stopwatch.GetTimestamp();
        }
    }
}
