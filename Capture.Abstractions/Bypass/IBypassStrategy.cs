namespace Capture.Abstractions;

/// <summary>
/// The bypass callback contract a capture source implements: stop delivering a flow, tell
/// whether its packets are still arriving, and remove it. The engine always bypasses a flow
/// locally first; a successful <see cref="TryBypass"/> makes it capture-bypassed.
/// </summary>
/// <remarks>
/// <see cref="TryBypass"/> is called from worker threads, <see cref="SeenSince"/> and
/// <see cref="Release"/> from the flow manager: implementations are thread-safe. Every path
/// that ends a capture-bypassed flow (timeout, eviction, emergency, end of capture, shutdown)
/// calls <see cref="Release"/> exactly once.
/// </remarks>
public interface IBypassStrategy
{
    /// <summary>A name for logs and stats (<c>xdp</c>, <c>software</c>, ...).</summary>
    string Name { get; }

    /// <summary>
    /// Offloads the flow, both directions. On success the strategy's state is stored in
    /// <paramref name="record"/> and the capture counters start at zero; on failure nothing
    /// is left behind (a half inserted is rolled back).
    /// </summary>
    /// <param name="flow">The flow, in its own orientation.</param>
    /// <param name="record">The flow's bypass accounting slot.</param>
    /// <returns>Success, or why not.</returns>
    BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record);

    /// <summary>
    /// Whether packets of the flow were seen since <paramref name="sinceNanoseconds"/>. A strategy
    /// that knows its packets' capture times answers by them (an offline reader counts packets
    /// before the engine's clock reaches them); one without a clock, such as XDP maps, answers
    /// whether its counters moved since the last call. Folds the capture's packet and byte
    /// counters, each direction of the flow's own orientation, into <paramref name="record"/>.
    /// </summary>
    /// <param name="flow">The flow.</param>
    /// <param name="record">The flow's bypass accounting slot.</param>
    /// <param name="sinceNanoseconds">The flow's last-seen time, nanoseconds since the Unix epoch (capture clock).</param>
    /// <returns>True when the flow is still alive.</returns>
    bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds);

    /// <summary>
    /// The flow is ending: removes the capture's entries and folds the final counters into
    /// <paramref name="record"/>. Idempotent.
    /// </summary>
    /// <param name="flow">The flow.</param>
    /// <param name="record">The flow's bypass accounting slot.</param>
    void Release(in FlowTuple flow, BypassRecord record);

    /// <summary>Insert successes and failures per address family and entries currently offloaded.</summary>
    /// <returns>A snapshot.</returns>
    BypassStatistics GetStatistics();
}
