namespace FlowEngine.Output;

/// <summary>
/// A flow-event sink that also takes runs of consecutive events: <see cref="FlowEndQueue"/> hands
/// it every event its ring holds ready at once (up to <see cref="FlowEndQueue.MaxBatch"/>), so
/// that the sink can do per-run what it would do per event (one lock, hashes of several flows side
/// by side). The events of one worker keep their order within and across runs.
/// </summary>
public interface IFlowEventBatchSink : IFlowEventSink
{
    /// <summary>
    /// Flows ended, in the order given. The events are only valid during the call. A sink that
    /// throws loses the run to itself: the queue counts every event of the run in
    /// <see cref="FlowEndQueue.SinkErrors"/>.
    /// </summary>
    /// <param name="flowEnds">One or more flows' final records.</param>
    void OnFlowEnds(ReadOnlySpan<FlowEndEvent> flowEnds);
}
