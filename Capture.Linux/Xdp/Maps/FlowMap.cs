using System.Runtime.CompilerServices;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Maps;

/// <summary>
/// One flow map (flow_v4 or flow_v6) through its own duplicated fd, so it outlives the BPF
/// object and a late call after stop fails cleanly (EBADF) instead of hitting a reused fd.
/// Values are <c>{u64 packets; u64 bytes; u64 first_ns; u64 rule_sid}</c>, one per possible CPU for per-CPU maps.
/// </summary>
public sealed unsafe class FlowMap : IDisposable
{
    internal const int ValueSize = 32;

    /// <summary>The 64-bit words of one value: packets, bytes, first drop time, the kernel rule's sid.</summary>
    internal const int LongsPerValue = ValueSize / sizeof(long);

    [ThreadStatic]
    private static long[]? t_values;

    private readonly BpfFdHandle _fd;

    internal FlowMap(string name, BpfFdHandle fd, int keySize, bool perCpu, int capacity)
    {
        Name = name;
        _fd = fd;
        KeySize = keySize;
        PerCpu = perCpu;
        Capacity = capacity;
        ValuesPerEntry = perCpu ? PossibleCpus : 1;
    }

    /// <summary>libbpf_num_possible_cpus(): per-CPU values come one per possible CPU.</summary>
    internal static int PossibleCpus { get; } = Math.Max(1, Libbpf.NumPossibleCpus());

    /// <summary>The map's name in the filter object (<c>flow_v4</c>, <c>flow_v6</c>).</summary>
    public string Name { get; }

    internal int KeySize { get; }

    internal bool PerCpu { get; }

    /// <summary>Entries the map holds (two per flow).</summary>
    public int Capacity { get; }

    /// <summary>Values per entry in lookups: possible CPUs for per-CPU maps, else 1.</summary>
    internal int ValuesPerEntry { get; }

    /// <summary>Bytes of one entry's value buffer (roundup(32, 8) per value).</summary>
    internal int ValueBufferSize => ValueSize * ValuesPerEntry;

    /// <summary>Inserts a zeroed value if the key is absent. Returns 0 or -errno (-EEXIST when present).</summary>
    internal int InsertIfAbsent<TKey>(ref TKey key)
        where TKey : unmanaged
    {
        long[] values = ThreadValues();
        Array.Clear(values, 0, ValuesPerEntry * LongsPerValue);
        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            fixed (long* value = values)
            {
                return Libbpf.MapUpdateElem(_fd.Fd, Unsafe.AsPointer(ref key), value, Libbpf.UpdateNoExist);
            }
        }
        catch (ObjectDisposedException)
        {
            return -Libc.EBADF;
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    /// <summary>Reads an entry's counters summed over CPUs. Returns 0 or -errno (-ENOENT when absent).</summary>
    internal int Lookup<TKey>(ref TKey key, out HalfFlowCounters counters)
        where TKey : unmanaged
    {
        long[] values = ThreadValues();
        counters = default;
        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            int rc;
            fixed (long* value = values)
            {
                rc = Libbpf.MapLookupElem(_fd.Fd, Unsafe.AsPointer(ref key), value);
            }

            if (rc == 0)
            {
                counters = Sum(values, ValuesPerEntry);
            }

            return rc;
        }
        catch (ObjectDisposedException)
        {
            return -Libc.EBADF;
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    /// <summary>Deletes an entry. Returns 0 or -errno (-ENOENT when absent).</summary>
    internal int Delete<TKey>(ref TKey key)
        where TKey : unmanaged
    {
        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            return Libbpf.MapDeleteElem(_fd.Fd, Unsafe.AsPointer(ref key));
        }
        catch (ObjectDisposedException)
        {
            return -Libc.EBADF;
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// One BPF_MAP_LOOKUP_BATCH step. Returns 0 (more to come), -ENOENT (this was the last batch;
    /// <paramref name="count"/> may still be non-zero) or another -errno.
    /// </summary>
    internal int LookupBatch(void* inToken, void* outToken, void* keys, void* values, ref uint count)
    {
        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            Libbpf.MapBatchOptions options = new() { Size = (nuint)sizeof(Libbpf.MapBatchOptions) };
            uint n = count;
            int rc = Libbpf.MapLookupBatch(_fd.Fd, inToken, outToken, keys, values, &n, &options);
            count = n;
            return rc;
        }
        catch (ObjectDisposedException)
        {
            count = 0;
            return -Libc.EBADF;
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sums a per-CPU (or single) value array of {packets, bytes, first_ns, rule_sid}; the first drop
    /// is the earliest stamped; the rule's sid is on the CPU that made the entry (the others hold 0).
    /// </summary>
    internal static HalfFlowCounters Sum(ReadOnlySpan<long> values, int count)
    {
        long packets = 0;
        long bytes = 0;
        long first = 0;
        long sid = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<long> value = values.Slice(LongsPerValue * i, LongsPerValue);
            packets += value[0];
            bytes += value[1];
            if (value[2] != 0 && (first == 0 || value[2] < first))
            {
                first = value[2];
            }

            sid = value[3] != 0 ? value[3] : sid;
        }

        return new HalfFlowCounters(packets, bytes, first, sid);
    }

    /// <inheritdoc />
    public void Dispose() => _fd.Dispose();

    private static long[] ThreadValues() => t_values ??= new long[PossibleCpus * LongsPerValue];
}
