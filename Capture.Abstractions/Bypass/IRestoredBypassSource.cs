namespace Capture.Abstractions;

/// <summary>
/// Implemented, optionally, by an <see cref="ICaptureSource"/> whose capture keeps bypassed flows
/// across a restart (pinned kernel maps): it hands the engine the flows that were capture-bypassed
/// before this process started, and lets its strategy take each one over with the engine's
/// accounting record. The engine asks once, on the source's worker thread, before the first batch.
/// </summary>
/// <remarks>
/// With several sources per interface (fanout), only one of them returns the interface's flows;
/// the others return an empty list. Flows never adopted stay unowned and the capture may expire them.
/// </remarks>
public interface IRestoredBypassSource
{
    /// <summary>
    /// The flows bypassed before this process started, with their counters. Take-once: the first
    /// call returns them, later calls return an empty list.
    /// </summary>
    /// <returns>The restored flows; empty when there are none.</returns>
    IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows();

    /// <summary>
    /// The engine recreated <paramref name="flow"/> as a capture-bypassed flow: the source's
    /// <see cref="IBypassStrategy"/> takes it over, storing its state in <paramref name="record"/>
    /// (seeded with the flow's counters) so that <see cref="IBypassStrategy.SeenSince"/> and
    /// <see cref="IBypassStrategy.Release"/> work on it as on a flow it bypassed itself.
    /// </summary>
    /// <param name="flow">A flow returned by <see cref="TakeRestoredFlows"/>.</param>
    /// <param name="record">The recreated flow's bypass accounting slot.</param>
    void Adopt(in RestoredBypassedFlow flow, BypassRecord record);
}
