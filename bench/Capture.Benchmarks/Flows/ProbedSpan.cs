namespace Capture.Benchmarks.Flows;

/// <summary>A timed stretch of the pipeline and the core-speed probe around it (the slower side).</summary>
/// <param name="NsPerItem">Wall nanoseconds per packet (a block) or per flow (flow ends).</param>
/// <param name="Probe">The slower of the probes taken just before and just after, ns per decoded packet.</param>
internal readonly record struct ProbedSpan(double NsPerItem, double Probe);
