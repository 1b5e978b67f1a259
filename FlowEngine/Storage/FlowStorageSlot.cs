namespace FlowEngine.Storage;

/// <summary>
/// A typed per-flow storage slot, returned by <see cref="FlowStorageRegistry.Register{T}"/>.
/// Read and write it through <see cref="Flows.FlowView.GetStorage{T}"/> and
/// <see cref="Flows.FlowView.SetStorage{T}"/>. The value is dropped when the flow ends, or, when
/// <typeparamref name="T"/> is an <see cref="IReusableFlowState"/>, kept for a new flow, which takes
/// it reset (<see cref="Flows.FlowView.TakeReusable{T}"/>).
/// </summary>
/// <typeparam name="T">The stored type.</typeparam>
public sealed class FlowStorageSlot<T>
    where T : class
{
    internal FlowStorageSlot(string name, int index)
    {
        Name = name;
        Index = index;
    }

    /// <summary>The name it was registered with.</summary>
    public string Name { get; }

    /// <summary>Column index inside a shard's storage.</summary>
    internal int Index { get; }
}
