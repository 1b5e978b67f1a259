using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FlowEngine.Storage;

/// <summary>
/// One storage column's ended-flow values of one shard, kept for the shard's next flows and reset
/// when one takes them (<see cref="IReusableFlowState"/>): a flow ending and one starting cost no
/// allocation, and an ended flow's value is not touched (a cache miss per flow) until it is used
/// again. Bounded; past the bound a value is left to the collector. Single-threaded, as its shard.
/// </summary>
internal sealed class FlowStatePool
{
    /// <summary>Values one column of one shard keeps: more than a timeout pass ends at once in most captures.</summary>
    public const int DefaultCapacity = 4096;

    private readonly object?[] _values;
    private int _count;

    public FlowStatePool(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new object?[capacity];
    }

    /// <summary>Values kept now.</summary>
    public int Count => _count;

    /// <summary>Keeps an ended flow's value (an <see cref="IReusableFlowState"/>, not looked at); false when the pool is full.</summary>
    public bool TryKeep(object value)
    {
        if (_count == _values.Length)
        {
            return false;
        }

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

        object? value = _values[--_count];
        _values[_count] = null;
        Debug.Assert(value is IReusableFlowState, "a pool keeps the values of a column of reusable values");
        Unsafe.As<IReusableFlowState>(value).Reset();
        return value;
    }
}
