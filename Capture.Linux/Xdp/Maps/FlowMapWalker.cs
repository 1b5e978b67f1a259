using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Maps;

/// <summary>
/// Walks a flow map with BPF_MAP_LOOKUP_BATCH into native buffers owned by the walker (no
/// allocation per batch). The last batch comes with -ENOENT and may hold entries.
/// </summary>
public sealed unsafe class FlowMapWalker : IDisposable
{
    private const int TokenSize = 64;
    private readonly FlowMap _map;
    private readonly int _capacity;
    private byte* _keys;
    private long* _values;
    private byte* _tokenIn;
    private byte* _tokenOut;
    private bool _started;
    private bool _finished;

    /// <summary>Allocates the native buffers for batches of <paramref name="batchSize"/> entries of <paramref name="map"/>.</summary>
    /// <param name="map">The map to walk (<see cref="XdpBypassFilter.MapV4"/> or <see cref="XdpBypassFilter.MapV6"/>); it must outlive the walker.</param>
    /// <param name="batchSize">Entries per kernel call.</param>
    public FlowMapWalker(FlowMap map, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _map = map;
        _capacity = batchSize;
        _keys = (byte*)NativeMemory.AllocZeroed((nuint)(map.KeySize * batchSize));
        _values = (long*)NativeMemory.AllocZeroed((nuint)(map.ValueBufferSize * batchSize));
        _tokenIn = (byte*)NativeMemory.AllocZeroed(TokenSize);
        _tokenOut = (byte*)NativeMemory.AllocZeroed(TokenSize);
    }

    /// <summary>The map walked.</summary>
    public FlowMap Map => _map;

    /// <summary>Starts over from the first entry.</summary>
    public void Reset()
    {
        _started = false;
        _finished = false;
    }

    /// <summary>
    /// Reads the next batch. Returns true with <paramref name="count"/> entries (possibly 0),
    /// false when the walk is over. A kernel error other than the end is returned as -errno in
    /// <paramref name="error"/> (and ends the walk).
    /// </summary>
    public bool Next(out int count, out int error)
    {
        count = 0;
        error = 0;
        if (_finished)
        {
            return false;
        }

        uint n = (uint)_capacity;
        int rc = _map.LookupBatch(_started ? _tokenIn : null, _tokenOut, _keys, _values, ref n);
        _started = true;
        count = (int)n;
        if (rc == -Libc.ENOENT)
        {
            _finished = true;
            return count > 0;
        }

        if (rc != 0)
        {
            _finished = true;
            error = rc;
            return count > 0;
        }

        Unsafe.CopyBlock(_tokenIn, _tokenOut, TokenSize);
        return true;
    }

    /// <summary>The key of entry <paramref name="index"/> of the current batch.</summary>
    /// <typeparam name="TKey">The map's key: <see cref="FlowKeyV4"/> for <c>flow_v4</c>, <see cref="FlowKeyV6"/> for <c>flow_v6</c>.</typeparam>
    /// <param name="index">0 to the count the last <see cref="Next"/> gave, exclusive.</param>
    /// <returns>A reference into the walker's buffer, valid until the next <see cref="Next"/>.</returns>
    public ref readonly TKey Key<TKey>(int index)
        where TKey : unmanaged, IHalfFlowKey<TKey>
    {
        Debug.Assert(sizeof(TKey) == _map.KeySize, "the key type must be the map's key");
        Debug.Assert((uint)index < (uint)_capacity, "index within the batch");
        return ref Unsafe.AsRef<TKey>(_keys + (index * _map.KeySize));
    }

    /// <summary>The counters of entry <paramref name="index"/>, summed over CPUs.</summary>
    /// <param name="index">0 to the count the last <see cref="Next"/> gave, exclusive.</param>
    /// <returns>The half-flow's packet and byte totals and first drop time.</returns>
    public HalfFlowCounters Counters(int index)
    {
        Debug.Assert((uint)index < (uint)_capacity, "index within the batch");
        int longs = _map.ValuesPerEntry * FlowMap.LongsPerValue;
        return FlowMap.Sum(new ReadOnlySpan<long>(_values + (index * longs), longs), _map.ValuesPerEntry);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        NativeMemory.Free(_keys);
        NativeMemory.Free(_values);
        NativeMemory.Free(_tokenIn);
        NativeMemory.Free(_tokenOut);
        _keys = null;
        _values = null;
        _tokenIn = null;
        _tokenOut = null;
    }
}
