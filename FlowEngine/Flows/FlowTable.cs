using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FlowEngine.Flows;

/// <summary>
/// One worker's flow table: preallocated records in arrays (a 64-byte hot and a 64-byte warm part,
/// each one aligned cache line in native memory; a cold part; one storage column per registered
/// slot), a hash index of bucket heads and chain links, and free slots kept as clusters (the
/// passt design): the first slot of a run of free slots holds the run's length and the next run's
/// first slot, in index order. New flows take the
/// lowest free slot; slots are freed only by <see cref="Scan{TVisitor}"/>, which rebuilds the
/// cluster list as it goes, or by <see cref="FreeWhenFull"/> when nothing else is free. A scan
/// costs active flows plus free clusters, not the table size. Single-threaded by design.
/// </summary>
internal sealed unsafe class FlowTable
{
    private const int NoSlot = -1;

    private readonly FlowTableMemory _slots;
    private readonly FlowTableMemory _records;
    private readonly FlowTableMemory _buckets;
    private readonly FlowTableMemory _chain;
    private readonly int _mask;

    // The blocks' addresses, taken once: a span built per access cost two loads and a bounds
    // check each, several times per packet. The blocks live as long as this table (it owns them).
    private readonly FlowSlot* _slotBase;
    private readonly FlowRecord* _recordBase;
    private readonly int* _bucketBase;
    private readonly int* _chainBase;
    private int _firstFree;

    /// <summary>Creates a table of <paramref name="capacity"/> records and at least <paramref name="hashSize"/> buckets.</summary>
    public FlowTable(int capacity, int hashSize, int storageColumns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _slots = new FlowTableMemory((nuint)capacity * (nuint)Unsafe.SizeOf<FlowSlot>());
        _records = new FlowTableMemory((nuint)capacity * (nuint)Unsafe.SizeOf<FlowRecord>());
        Origins = new FlowOrigin[capacity];
        _chain = new FlowTableMemory((nuint)capacity * sizeof(int));
        // At least two buckets per record: a lookup that misses the chain's head costs a cache miss
        // per link, and a full table then still has chains of half a flow on average.
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Math.Max((long)hashSize, 2L * capacity), 16, 1 << 30));
        _buckets = new FlowTableMemory((nuint)buckets * sizeof(int));
        _mask = buckets - 1;
        _slotBase = (FlowSlot*)_slots.DangerousGetHandle();
        _recordBase = (FlowRecord*)_records.DangerousGetHandle();
        _bucketBase = (int*)_buckets.DangerousGetHandle();
        _chainBase = (int*)_chain.DangerousGetHandle();
        Buckets.Fill(NoSlot);
        Storage = new object?[storageColumns][];
        for (int i = 0; i < storageColumns; i++)
        {
            Storage[i] = new object?[capacity];
        }

        // One cluster: the whole table.
        _firstFree = 0;
        Slots[0].Hash = (uint)capacity;
        Chain[0] = NoSlot;
    }

    /// <summary>Hot parts, one cache line each.</summary>
    public Span<FlowSlot> Slots
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_slotBase, Capacity);
    }

    /// <summary>Warm parts (counters, times, ids).</summary>
    public Span<FlowRecord> Records
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_recordBase, Capacity);
    }

    /// <summary>The hot part of a slot that lookup or allocation returned (the packet path's access: no span, no bounds check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FlowSlot SlotAt(int slot)
    {
        Debug.Assert((uint)slot < (uint)Capacity, "a slot from lookup or allocation");
        return ref _slotBase[slot];
    }

    /// <summary>The warm part of a slot that lookup or allocation returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FlowRecord RecordAt(int slot)
    {
        Debug.Assert((uint)slot < (uint)Capacity, "a slot from lookup or allocation");
        return ref _recordBase[slot];
    }

    /// <summary>Creation-time facts (MAC addresses, tunnel parent).</summary>
    public FlowOrigin[] Origins { get; }

    /// <summary>Storage columns, one per registered slot.</summary>
    public object?[][] Storage { get; }

    /// <summary>The hash index: the first slot of each bucket's chain, or -1.</summary>
    private Span<int> Buckets
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_bucketBase, _mask + 1);
    }

    /// <summary>Per slot: the next slot of its bucket's chain, or (first slot of a free cluster) the next cluster.</summary>
    private Span<int> Chain
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_chainBase, Capacity);
    }

    /// <summary>Number of records.</summary>
    public int Capacity { get; }

    /// <summary>Flows in the table.</summary>
    public int Active { get; private set; }

    /// <summary>Number of buckets.</summary>
    public int BucketCount => _mask + 1;

    /// <summary>The lowest free slot, or -1 when full.</summary>
    public int FirstFree => _firstFree;

    /// <summary>Bytes of the native blocks (slots, records and the hash index), which the managed heap does not count.</summary>
    public long NativeBytes => (long)(_slots.Bytes + _records.Bytes + _buckets.Bytes + _chain.Bytes);

    /// <summary>Bytes the table's arrays take per record (index and storage included).</summary>
    public long BytesPerRecord => (Unsafe.SizeOf<FlowSlot>() + Unsafe.SizeOf<FlowRecord>() + Unsafe.SizeOf<FlowOrigin>() + sizeof(int)
        + (8L * Storage.Length)) + ((long)BucketCount * sizeof(int) / Capacity);

    /// <summary>Bytes per record for a table sized from options, before creating it.</summary>
    public static long EstimateBytesPerRecord(int storageColumns) =>
        Unsafe.SizeOf<FlowSlot>() + Unsafe.SizeOf<FlowRecord>() + Unsafe.SizeOf<FlowOrigin>() + sizeof(int) + (8L * storageColumns) + 8;

    /// <summary>Warms the cache line of a hash's bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchBucket(uint hash)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(_bucketBase + (hash & (uint)_mask));
        }
    }

    /// <summary>Warms the hot and warm parts of the record the hash's bucket points at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchHead(uint hash)
    {
        int head = _bucketBase[hash & (uint)_mask];
        if (head >= 0)
        {
            PrefetchSlot(head);
        }
    }

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(ref FlowKey key, uint hash)
    {
        int slot = _bucketBase[hash & (uint)_mask];
        while (slot >= 0)
        {
            ref FlowSlot s = ref _slotBase[slot];
            if (s.Hash == hash && FlowKey.Equal(ref s.Key, ref key))
            {
                return slot;
            }

            slot = _chainBase[slot];
        }

        return NoSlot;
    }

    /// <summary>Takes the lowest free slot for a new flow and indexes it; -1 when the table is full.</summary>
    public int TryAllocate(ref FlowKey key, uint hash)
    {
        int slot = _firstFree;
        if (slot < 0)
        {
            return NoSlot;
        }

        int length = (int)Slots[slot].Hash;
        if (length > 1)
        {
            int rest = slot + 1;
            Slots[rest].Hash = (uint)(length - 1);
            Chain[rest] = Chain[slot];
            _firstFree = rest;
        }
        else
        {
            _firstFree = Chain[slot];
        }

        ref FlowSlot s = ref Slots[slot];
        s = default;
        s.Key = key;
        s.Hash = hash;
        s.Flags = FlowSlotFlags.InUse;
        Records[slot] = default;
        Origins[slot] = default;
        ref int bucket = ref Buckets[(int)(hash & (uint)_mask)];
        Chain[slot] = bucket;
        bucket = slot;
        Active++;
        if (_firstFree >= 0)
        {
            // The next new flow lands in the lowest free slot, whose lines are cold (freed long
            // ago or never used): start loading them now, packets before they are written.
            PrefetchSlot(_firstFree);
        }

        return slot;
    }

    /// <summary>
    /// Frees one slot of a full table (eviction): the only place besides a scan that frees, and
    /// safe because with no free cluster the freed slot becomes the whole list.
    /// </summary>
    public void FreeWhenFull(int slot)
    {
        if (_firstFree != NoSlot)
        {
            throw new InvalidOperationException("eviction frees a slot only when the table is full");
        }

        Unlink(slot);
        Slots[slot].Hash = 1;
        Chain[slot] = NoSlot;
        _firstFree = slot;
    }

    /// <summary>
    /// Visits every flow in index order, skipping free clusters whole, frees the flows the visitor
    /// ends and rebuilds the cluster list (merging neighbours). Checks <paramref name="stop"/> every
    /// 4096 steps; a stopped scan leaves a valid table. Returns whether the scan completed.
    /// </summary>
    /// <remarks>
    /// Fully optimised at once: a scan is one long loop called rarely (<see cref="FlowShard.EndAll"/>
    /// once per run), which tiered compilation would leave on slow on-stack-replacement code.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Scan<TVisitor>(ref TVisitor visitor, CancellationToken stop, out int visited)
        where TVisitor : struct, IFlowSlotVisitor
    {
        visited = 0;
        int oldNext = _firstFree;
        int newFirst = NoSlot;
        int lastHead = NoSlot;
        int lastEnd = NoSlot;
        int steps = 0;
        int i = 0;
        int capacity = Capacity;
        Span<FlowSlot> slots = Slots;
        while (i < capacity)
        {
            if ((++steps & 4095) == 0 && stop.IsCancellationRequested)
            {
                // Keep the untouched rest of the old list behind what was rebuilt.
                if (oldNext != NoSlot)
                {
                    int rest = Chain[oldNext];
                    Append(oldNext, (int)slots[oldNext].Hash, ref newFirst, ref lastHead, ref lastEnd);
                    Chain[lastHead] = rest;
                }
                else if (lastHead != NoSlot)
                {
                    Chain[lastHead] = NoSlot;
                }

                _firstFree = newFirst;
                return false;
            }

            if (i == oldNext)
            {
                int length = (int)slots[i].Hash;
                oldNext = Chain[i];
                Append(i, length, ref newFirst, ref lastHead, ref lastEnd);
                i += length;
                continue;
            }

            visited++;
            if (visitor.Visit(i))
            {
                Unlink(i);
                Append(i, 1, ref newFirst, ref lastHead, ref lastEnd);
            }

            i++;
        }

        if (lastHead != NoSlot)
        {
            Chain[lastHead] = NoSlot;
        }

        _firstFree = newFirst;
        return true;
    }

    /// <summary>
    /// Visits every flow in index order, then frees them all at once (end of capture, shutdown):
    /// the table ends as <see cref="Scan{TVisitor}"/> with a visitor that ends every flow leaves it
    /// (one free cluster, empty index), but without walking each flow's hash chain, a cache miss
    /// per flow. The visitor's result is ignored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FreeAll<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IFlowSlotVisitor
    {
        Span<FlowSlot> slots = Slots;
        int capacity = Capacity;
        int nextFree = _firstFree;
        int i = 0;
        while (i < capacity)
        {
            if (i == nextFree)
            {
                nextFree = Chain[i];
                i += (int)slots[i].Hash;
                continue;
            }

            visitor.Visit(i);
            ref FlowSlot s = ref slots[i];
            s.Flags = FlowSlotFlags.None;
            s.State = FlowState.New;
            i++;
        }

        Buckets.Fill(NoSlot);
        foreach (object?[] column in Storage)
        {
            Array.Clear(column);
        }

        Active = 0;
        _firstFree = 0;
        slots[0].Hash = (uint)capacity;
        Chain[0] = NoSlot;
    }

    /// <summary>Free clusters in the list (walks it; for tests and stats).</summary>
    public int CountClusters()
    {
        int count = 0;
        for (int c = _firstFree; c != NoSlot; c = Chain[c])
        {
            count++;
        }

        return count;
    }

    /// <summary>Free slots according to the cluster list (walks it; for tests).</summary>
    public int CountFree()
    {
        int free = 0;
        for (int c = _firstFree; c != NoSlot; c = Chain[c])
        {
            free += (int)Slots[c].Hash;
        }

        return free;
    }

    /// <summary>Warms a slot's hot and warm parts: one aligned 64-byte line each (see FlowTableMemory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchSlot(int slot)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(_slotBase + slot);
            Sse.Prefetch0(_recordBase + slot);
        }
    }

    private void Append(int start, int length, ref int newFirst, ref int lastHead, ref int lastEnd)
    {
        if (lastHead != NoSlot && lastEnd == start)
        {
            Slots[lastHead].Hash += (uint)length;
            lastEnd += length;
            return;
        }

        if (lastHead == NoSlot)
        {
            newFirst = start;
        }
        else
        {
            Chain[lastHead] = start;
        }

        Slots[start].Hash = (uint)length;
        lastHead = start;
        lastEnd = start + length;
    }

    private void Unlink(int slot)
    {
        ref FlowSlot s = ref Slots[slot];
        ref int link = ref Buckets[(int)(s.Hash & (uint)_mask)];
        while (link != slot)
        {
            if (link < 0)
            {
                throw new InvalidOperationException($"flow slot {slot} is not in its hash chain");
            }

            link = ref Chain[link];
        }

        link = Chain[slot];
        s.Flags = FlowSlotFlags.None;
        s.State = FlowState.New;
        object?[][] storage = Storage;
        for (int c = 0; c < storage.Length; c++)
        {
            storage[c][slot] = null;
        }

        Active--;
    }
}
