namespace FlowEngine.Storage;

/// <summary>
/// A flow-storage value the engine reuses instead of dropping: when its flow ends (timeout,
/// eviction, TCP session reuse) the flow's shard keeps it, up to a bound, for the next new flow of
/// that shard, whose owner takes it, reset, with <see cref="Flows.FlowView.TakeReusable{T}"/> instead
/// of allocating one. A slot's type implements it for its values to be kept. A flow that ends with
/// every other (end of capture, shutdown) drops its values. Nothing may hold on to a value after
/// its flow ended.
/// </summary>
public interface IReusableFlowState
{
    /// <summary>Clears every member to what a new object has; called on the shard's worker thread when a new flow takes the value.</summary>
    void Reset();
}
