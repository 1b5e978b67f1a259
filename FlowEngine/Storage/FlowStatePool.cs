using System.Diagnostics;

namespace FlowEngine.Storage;

/// <summary>
/// One storage column's ended-flow values of one shard, reset and kept for the shard's next flows
/// (<see cref="IReusableFlowState"/>): a flow ending and one starting cost no allocation. Bounded;
/// past the bound a value is left to the collector. Single-threaded, as its shard.
/// </summary>
internal sealed class FlowStatePool
{
    /// <summary>Values one column of one shard keeps: more than a timeout pass ends at once in most captures.</summary>
    public const int DefaultCapacity = 4096;

    private readonly IReusableFlowState?[] _values;
    private int _count;

    public FlowStatePool(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new IReusableFlowState?[capacity];
    }

    /// <summary>Values kept now.</summary>
    public int Count => _count;

    /// <summary>Resets and keeps an ended flow's value; false (nothing done) when the pool is full.</summary>
    public bool TryReturn(IReusableFlowState value)
    {
        if (_count == _values.Length)
        {
            return false;
        }

        value.Reset();
        _values[_count++] = value;
        return true;
    }

    /// <summary>A kept value, reset, or null when there is none.</summary>
    public object? Take()
    {
        if (_count == 0)
        {
            return null;
        }

        IReusableFlowState? value = _values[--_count];
        _values[_count] = null;
        Debug.Assert(value is not null, "the pool's first Count entries are values");
        return value;
    }
}
