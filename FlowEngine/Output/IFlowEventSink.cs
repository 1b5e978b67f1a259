namespace FlowEngine.Output;

/// <summary>
/// Receives a flow-end event for every flow, whatever ended it (timeout, eviction, emergency,
/// end of capture, shutdown). Called from worker threads, several at once when there are
/// several workers: implementations must be thread-safe. The event is passed by reference and
/// is only valid during the call.
/// </summary>
public interface IFlowEventSink
{
    /// <summary>A flow ended.</summary>
    /// <param name="flowEnd">The flow's final record.</param>
    void OnFlowEnd(in FlowEndEvent flowEnd);
}
