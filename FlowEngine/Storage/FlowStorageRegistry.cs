namespace FlowEngine.Storage;

/// <summary>
/// Per-flow side storage, Suricata's flow storage: anyone (engine, plugins, detection) registers
/// a typed slot at start-up; each slot costs one reference per flow record. Registration closes
/// when a <see cref="Pipeline.CaptureEngine"/> starts running.
/// </summary>
public sealed class FlowStorageRegistry
{
    private readonly List<(string Name, Type Type, object Slot)> _slots = [];
    private readonly Lock _gate = new();
    private bool _sealed;

    /// <summary>Slots registered so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _slots.Count;
            }
        }
    }

    /// <summary>
    /// Registers a slot, or returns the slot already registered under <paramref name="name"/>
    /// with the same type.
    /// </summary>
    /// <typeparam name="T">The stored type.</typeparam>
    /// <param name="name">A unique name (<c>bypass_counters</c>, <c>detect.state</c>, ...).</param>
    /// <returns>The slot.</returns>
    /// <exception cref="InvalidOperationException">The name is taken by another type, or the engine already runs.</exception>
    public FlowStorageSlot<T> Register<T>(string name)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            foreach ((string existingName, Type type, object slot) in _slots)
            {
                if (string.Equals(existingName, name, StringComparison.Ordinal))
                {
                    return type == typeof(T)
                        ? (FlowStorageSlot<T>)slot
                        : throw new InvalidOperationException($"flow storage slot '{name}' is already registered for {type.Name}, not {typeof(T).Name}");
                }
            }

            if (_sealed)
            {
                throw new InvalidOperationException($"flow storage slot '{name}' registered after the engine started; register slots at start-up");
            }

            FlowStorageSlot<T> created = new(name, _slots.Count);
            _slots.Add((name, typeof(T), created));
            return created;
        }
    }

    /// <summary>
    /// Per column, whether its values are <see cref="IReusableFlowState"/> (by the slot's type), so
    /// that a shard keeps an ended flow's value without looking at it.
    /// </summary>
    internal bool[] ReusableColumns()
    {
        lock (_gate)
        {
            // A loop, not LINQ over the slots' tuples: generic code over a value type is compiled at every start of the JIT host.
            bool[] reusable = new bool[_slots.Count];
            for (int i = 0; i < reusable.Length; i++)
            {
                reusable[i] = typeof(IReusableFlowState).IsAssignableFrom(_slots[i].Type);
            }

            return reusable;
        }
    }

    /// <summary>Closes registration and returns how many columns a shard needs.</summary>
    internal int Seal()
    {
        lock (_gate)
        {
            _sealed = true;
            return _slots.Count;
        }
    }
}
