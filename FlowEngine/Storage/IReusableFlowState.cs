namespace FlowEngine.Storage;

/// <summary>
/// A flow-storage value the engine reuses instead of dropping: when its flow ends (timeout,
/// eviction, TCP session reuse) the flow's shard resets it and keeps it, up to a bound, for the
/// next new flow of that shard, whose owner takes it with <see cref="Flows.FlowView.TakeReusable{T}"/>
/// instead of allocating one. A flow that ends with every other (end of capture, shutdown) drops
/// its values. Nothing may hold on to a value after its flow ended.
/// </summary>
public interface IReusableFlowState
{
    /// <summary>Clears every member to what a new object has; called on the shard's worker thread when the flow that held it ended.</summary>
    void Reset();
}
