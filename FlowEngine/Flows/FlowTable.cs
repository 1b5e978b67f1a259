using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Capture.Abstractions;
using FlowEngine.Storage;

namespace FlowEngine.Flows;

/// <summary>
/// One worker's flow table: records in arrays (a 64-byte hot and a 64-byte warm part, each one
/// aligned cache line in native memory; a cold part; one storage column per registered slot), a
/// hash index of bucket heads and chain links, and free slots kept as clusters (the passt design):
/// the first slot of a run of free slots holds the run's length and the next run's first slot, in
/// index order. New flows take the lowest free slot; slots are freed only by
/// <see cref="Scan{TVisitor}"/>, which rebuilds the cluster list as it goes, or by
/// <see cref="FreeWhenFull"/> when nothing else is free. A scan costs active flows plus free
/// clusters, not the table size. The records' address space is reserved for
/// <see cref="MaxCapacity"/> records at once; the table starts with <see cref="Capacity"/> of them
/// and doubles when a new flow finds no free slot, so its memory follows the flows in use. The index
/// has a fixed number of buckets. Single-threaded by design.
/// </summary>
internal sealed unsafe class FlowTable
{
    private const int NoSlot = -1;

    private readonly FlowTableMemory _slots;
    private readonly FlowTableMemory _records;
    private readonly FlowTableMemory _origins;
    private readonly FlowTableMemory _buckets;
    private readonly FlowTableMemory _chain;
    private readonly int _mask;

    // Per storage column of IReusableFlowState values: ended flows' values kept for new flows (null for other columns).
    private readonly FlowStatePool?[] _pools;

    // The blocks' addresses, taken once: a span built per access cost two loads and a bounds
    // check each, several times per packet. The blocks live as long as this table (it owns them)
    // and never move: growing commits more of their reservation.
    private readonly FlowSlot* _slotBase;
    private readonly FlowRecord* _recordBase;
    private readonly FlowOrigin* _originBase;
    private readonly int* _bucketBase;
    private readonly int* _chainBase;
    private int _firstFree;

    // One past the highest slot a flow took since the table was made or last emptied: slots above
    // it were never written, so emptying the table leaves their pages untouched.
    private int _highWater;

    /// <summary>A table of <paramref name="capacity"/> records that never grows, and at least <paramref name="hashSize"/> buckets.</summary>
    public FlowTable(int capacity, int hashSize, int storageColumns, bool[]? reusableColumns = null)
        : this(capacity, capacity, hashSize, storageColumns, reusableColumns)
    {
    }

    /// <summary>
    /// A table of <paramref name="initialCapacity"/> records, touched now, that grows up to
    /// <paramref name="maxCapacity"/>, with <paramref name="hashSize"/> buckets rounded up to a power of two;
    /// ended flows' values in the storage columns marked in <paramref name="reusableColumns"/> are kept for new flows.
    /// </summary>
    public FlowTable(int initialCapacity, int maxCapacity, int hashSize, int storageColumns, bool[]? reusableColumns = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hashSize, 1);
        initialCapacity = Math.Clamp(initialCapacity, 1, maxCapacity);
        Capacity = initialCapacity;
        MaxCapacity = maxCapacity;
        _slots = Reserve<FlowSlot>(initialCapacity, maxCapacity);
        _records = Reserve<FlowRecord>(initialCapacity, maxCapacity);
        _origins = Reserve<FlowOrigin>(initialCapacity, maxCapacity);
        _chain = Reserve<int>(initialCapacity, maxCapacity);

        // Suricata's hash-size: the number of rows, fixed. Chains lengthen when flows outnumber them.
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(hashSize, 1 << 30));
        _buckets = new FlowTableMemory((nuint)buckets * sizeof(int));
        _mask = buckets - 1;
        _slotBase = (FlowSlot*)_slots.DangerousGetHandle();
        _recordBase = (FlowRecord*)_records.DangerousGetHandle();
        _originBase = (FlowOrigin*)_origins.DangerousGetHandle();
        _bucketBase = (int*)_buckets.DangerousGetHandle();
        _chainBase = (int*)_chain.DangerousGetHandle();
        Buckets.Fill(NoSlot);
        Storage = new object?[storageColumns][];
        _pools = new FlowStatePool?[storageColumns];
        for (int i = 0; i < storageColumns; i++)
        {
            Storage[i] = new object?[initialCapacity];
            _pools[i] = reusableColumns is not null && i < reusableColumns.Length && reusableColumns[i] ? new FlowStatePool() : null;
        }

        // One cluster: the whole table.
        _firstFree = 0;
        Slots[0].Hash = (uint)initialCapacity;
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

    /// <summary>Creation-time facts (MAC addresses, tunnel parent) of a slot in use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FlowOrigin OriginAt(int slot)
    {
        Debug.Assert((uint)slot < (uint)Capacity, "a slot from lookup or allocation");
        return ref _originBase[slot];
    }

    /// <summary>
    /// Storage columns, one per registered slot; growing replaces each column by a longer copy. A
    /// freed flow's values in a column of <see cref="IReusableFlowState"/> values go to the column's
    /// pool (<see cref="TakeReusable"/>), the others to the collector.
    /// </summary>
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

    /// <summary>Records the table has now (its slots are 0 to Capacity - 1).</summary>
    public int Capacity { get; private set; }

    /// <summary>Records the table may grow to.</summary>
    public int MaxCapacity { get; }

    /// <summary>Times the table grew.</summary>
    public int Growths { get; private set; }

    /// <summary>Flows in the table.</summary>
    public int Active { get; private set; }

    /// <summary>Number of buckets.</summary>
    public int BucketCount => _mask + 1;

    /// <summary>The lowest free slot, or -1 when full.</summary>
    public int FirstFree => _firstFree;

    /// <summary>Bytes of the native blocks committed now (records, chain links, origins and the hash index), which the managed heap does not count.</summary>
    public long NativeBytes => (long)(_slots.Committed + _records.Committed + _origins.Committed + _buckets.Committed + _chain.Committed);

    /// <summary>Bytes the table takes now: the native blocks and the storage columns.</summary>
    public long MemoryInUse => NativeBytes + (8L * Storage.Length * Capacity);

    /// <summary>Bytes each record takes in the table's arrays (storage columns included, the index not).</summary>
    public long BytesPerRecord => EstimateBytesPerRecord(Storage.Length);

    /// <summary>Bytes per record of a table with <paramref name="storageColumns"/> storage columns, before creating it.</summary>
    public static long EstimateBytesPerRecord(int storageColumns) =>
        Unsafe.SizeOf<FlowSlot>() + Unsafe.SizeOf<FlowRecord>() + Unsafe.SizeOf<FlowOrigin>() + sizeof(int) + (8L * storageColumns);

    /// <summary>Bytes of an index of <paramref name="hashSize"/> buckets (rounded up to a power of two as the table does).</summary>
    public static long IndexBytes(int hashSize) => (long)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(hashSize, 1, 1 << 30)) * sizeof(int);

    /// <summary>Warms the cache line of a hash's bucket.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchBucket(uint hash)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(_bucketBase + (hash & (uint)_mask));
        }
    }

    /// <summary>
    /// Warms what a packet of the flow at the head of the hash's bucket touches in the table: its
    /// hot and warm parts, its chain link (the next step when the head is another flow) and its
    /// storage entries. The bucket's line should be warm already (<see cref="PrefetchBucket"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchHead(uint hash)
    {
        int head = _bucketBase[hash & (uint)_mask];
        if (head >= 0 && Sse.IsSupported)
        {
            PrefetchSlot(head);
            Sse.Prefetch0(_chainBase + head);
            object?[][] storage = Storage;
            for (int c = 0; c < storage.Length; c++)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(storage[c]), head)));
            }
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
            if (s.Hash == hash && (s.Flags & FlowSlotFlags.Reused) == 0 && FlowKey.Equal(ref s.Key, ref key))
            {
                return slot;
            }

            slot = _chainBase[slot];
        }

        return NoSlot;
    }

    /// <summary>The tuple of the flow in <paramref name="slot"/> in its own orientation (client first).</summary>
    public FlowTuple TupleAt(int slot)
    {
        ref FlowSlot s = ref SlotAt(slot);
        ref FlowKey k = ref s.Key;
        bool clientLow = (s.Flags & FlowSlotFlags.ClientIsLow) != 0;
        return new FlowTuple(
            k.IsIPv6 != 0,
            clientLow ? k.Low : k.High,
            clientLow ? k.High : k.Low,
            clientLow ? k.LowPort : k.HighPort,
            clientLow ? k.HighPort : k.LowPort,
            k.Protocol,
            k.Vlan0,
            k.Vlan1,
            k.Vlan2,
            k.TunnelDepth);
    }

    /// <summary>Takes the lowest free slot for a new flow and indexes it, growing the table when none is free; -1 when it is full and at its largest.</summary>
    public int TryAllocate(ref FlowKey key, uint hash)
    {
        int slot = _firstFree;
        if (slot < 0)
        {
            if (!TryGrow())
            {
                return NoSlot;
            }

            slot = _firstFree;
        }

        int length = (int)Slots[slot].Hash;
        Debug.Assert((Slots[slot].Flags & FlowSlotFlags.InUse) == 0, "the free list's first cluster starts on a slot not in use");
        Debug.Assert(length >= 1 && (long)slot + length <= Capacity, "the free list's first cluster lies inside the table");
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

        Fill(slot, ref key, hash);
        _highWater = Math.Max(_highWater, slot + 1);
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
    /// Readies the slot of a flow that just ended for a new flow of the same key (a packet found its
    /// flow timed out): the slot keeps its key, hash and place in its chain; the rest is cleared as
    /// allocation clears it. No free cluster changes, so this is safe between scans.
    /// </summary>
    public void Renew(int slot)
    {
        ref FlowSlot s = ref SlotAt(slot);
        Debug.Assert((s.Flags & FlowSlotFlags.InUse) != 0, "a renewed slot holds a flow");
        FlowKey key = s.Key;
        Fill(slot, ref key, s.Hash);
        ClearStorage(slot);
    }

    /// <summary>A new flow's hot, warm and cold parts: its key and hash, in use, everything else zero.</summary>
    private void Fill(int slot, ref FlowKey key, uint hash)
    {
        ref FlowSlot s = ref _slotBase[slot];
        s = default;
        s.Key = key;
        s.Hash = hash;
        s.Flags = FlowSlotFlags.InUse;
        _recordBase[slot] = default;
        _originBase[slot] = default;
    }

    /// <summary>Drops an ended flow's storage values; the reusable ones go to their column's pool.</summary>
    private void ClearStorage(int slot)
    {
        object?[][] storage = Storage;
        for (int c = 0; c < storage.Length; c++)
        {
            ref object? value = ref storage[c][slot];
            if (value is not null && _pools[c] is { } pool)
            {
                // Kept as it is: reset when a new flow takes it, the first touch of its memory since.
                _ = pool.TryKeep(value);
            }

            value = null;
        }
    }

    /// <summary>A value an ended flow left in storage column <paramref name="column"/>, reset, or null when none is kept.</summary>
    public object? TakeReusable(int column) => _pools[column]?.Take();

    /// <summary>Values kept for new flows in storage column <paramref name="column"/>.</summary>
    public int ReusableCount(int column) => _pools[column]?.Count ?? 0;

    /// <summary>
    /// Doubles a full table (up to <see cref="MaxCapacity"/>): commits more of each block's
    /// reservation and lengthens the storage columns. Slots keep their index, so flows, chains and
    /// the index are untouched; the new slots, above every old one, become the one free cluster.
    /// Their pages are faulted in as flows first use them. False when the table is at its largest
    /// or the system refuses the memory (the table then stays at its size, as if at its largest).
    /// </summary>
    public bool TryGrow()
    {
        Debug.Assert(_firstFree == NoSlot, "the table grows only when full, so the new slots are the whole free list");
        int old = Capacity;
        if (old >= MaxCapacity || GrowRefused)
        {
            return false;
        }

        int grown = (int)Math.Min(MaxCapacity, 2L * old);
        if (!_slots.Commit(Bytes<FlowSlot>(grown)) || !_records.Commit(Bytes<FlowRecord>(grown))
            || !_origins.Commit(Bytes<FlowOrigin>(grown)) || !_chain.Commit(Bytes<int>(grown)))
        {
            GrowRefused = true;
            return false;
        }

        for (int i = 0; i < Storage.Length; i++)
        {
            object?[] column = Storage[i];
            Array.Resize(ref column, grown);
            Storage[i] = column;
        }

        Capacity = grown;
        Growths++;
        Slots[old].Hash = (uint)(grown - old);
        Chain[old] = NoSlot;
        _firstFree = old;
        AssertClusters();
        return true;
    }

    /// <summary>Whether the system refused memory the table asked for to grow.</summary>
    public bool GrowRefused { get; private set; }

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

        Debug.Assert(Active == Capacity, "a table with no free cluster has every slot in use");
        Debug.Assert((Slots[slot].Flags & FlowSlotFlags.InUse) != 0, "eviction frees a flow");
        Unlink(slot);
        Slots[slot].Hash = 1;
        Chain[slot] = NoSlot;
        _firstFree = slot;
        AssertClusters();
    }

    /// <summary>
    /// Visits every flow in index order, skipping free clusters whole, frees the flows the visitor
    /// ends and rebuilds the cluster list (merging neighbours). Checks <paramref name="stop"/> every
    /// 4096 steps; a stopped scan leaves a valid table. Returns whether the scan completed.
    /// </summary>
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
                AssertClusters();
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
        AssertClusters();
        return true;
    }

    /// <summary>
    /// Visits every flow in index order, then frees them all at once (end of capture, shutdown):
    /// the table ends as <see cref="Scan{TVisitor}"/> with a visitor that ends every flow leaves it
    /// (one free cluster, empty index), but without walking each flow's hash chain, a cache miss
    /// per flow. The visitor's result is ignored. Storage is cleared only up to the highest slot ever
    /// taken, and only where a value is: writing zeros on zeros faulted in pages for nothing.
    /// Its values are dropped, not kept for reuse: no flow follows the end of them all soon (end of
    /// capture, shutdown).
    /// </summary>
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
            ClearWritten(column.AsSpan(0, _highWater));
        }

        _highWater = 0;
        Active = 0;
        _firstFree = 0;
        slots[0].Hash = (uint)capacity;
        Chain[0] = NoSlot;
        AssertClusters();
    }

    /// <summary>
    /// Clears the entries that hold a value, writing no other: a column few flows wrote to (bypass
    /// records) has pages a collection's marking read but nothing wrote, mapped to the shared zero
    /// page, and writing zeros there cost a copy-on-write fault and a TLB flush per page.
    /// </summary>
    private static void ClearWritten(Span<object?> entries)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i] is not null)
            {
                entries[i] = null;
            }
        }
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

    /// <summary>
    /// The free list's invariants: clusters in index order, each at least one slot long, inside the
    /// table, not overlapping, on slots not in use, and as many free slots as the table lacks flows.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertClusters()
    {
        int free = 0;
        int end = 0;
        for (int c = _firstFree; c != NoSlot; c = Chain[c])
        {
            int length = (int)Slots[c].Hash;
            Debug.Assert(c >= end, "free clusters in index order, not overlapping");
            Debug.Assert(length >= 1 && (long)c + length <= Capacity, "a free cluster inside the table");
            Debug.Assert((Slots[c].Flags & FlowSlotFlags.InUse) == 0, "a free cluster starts on a slot not in use");
            free += length;
            end = c + length;
        }

        Debug.Assert(free == Capacity - Active, "the free clusters hold every slot not in use");
    }

    private static FlowTableMemory Reserve<T>(int initialCapacity, int maxCapacity)
        where T : unmanaged => new(Bytes<T>(maxCapacity), Bytes<T>(initialCapacity));

    private static nuint Bytes<T>(int records)
        where T : unmanaged => (nuint)records * (nuint)sizeof(T);

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
        ClearStorage(slot);
        Active--;
    }
}
