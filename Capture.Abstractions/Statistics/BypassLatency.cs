namespace Capture.Abstractions;

/// <summary>
/// The bypass latency of one strategy: from the packet whose verdict asked for a bypass to the first
/// packet the capture dropped for that flow (the bypass taking effect). Measured once per flow,
/// for flows that had a packet after the bypass; percentiles come from a histogram of about 6 %
/// resolution.
/// </summary>
/// <param name="Strategy">The strategy's name (<see cref="IBypassStrategy.Name"/>); null for a strategy that does not measure its latency.</param>
/// <param name="Count">Flows measured.</param>
/// <param name="P50Nanoseconds">Median.</param>
/// <param name="P99Nanoseconds">99th percentile.</param>
/// <param name="MaxNanoseconds">Largest.</param>
public readonly record struct BypassLatency(string? Strategy, long Count, long P50Nanoseconds, long P99Nanoseconds, long MaxNanoseconds);
