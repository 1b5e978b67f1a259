using FlowEngine.Flows;

namespace FlowEngine.Tests.Flows;

public class FlowTableTests
{
    [Fact]
    public void New_flows_take_the_lowest_free_slot_and_a_scan_merges_freed_slots_into_clusters()
    {
        FlowTable table = new(100, 16, 1);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i, Allocate(table, i));
        }

        FreeSet visitor = new([2, 3, 4, 7]);
        Assert.True(table.Scan(ref visitor, CancellationToken.None, out int visited));
        Assert.Equal(10, visited);
        Assert.Equal(6, table.Active);
        Assert.Equal(3, table.CountClusters());
        Assert.Equal(94, table.CountFree());

        Assert.Equal(2, Allocate(table, 100));
        Assert.Equal(3, Allocate(table, 101));
        Assert.Equal(4, Allocate(table, 102));
        Assert.Equal(7, Allocate(table, 103));
        Assert.Equal(10, Allocate(table, 104));

        // Freeing 8 and 9 joins them with the tail cluster 11..99.
        FreeSet second = new([8, 9, 10]);
        table.Scan(ref second, CancellationToken.None, out _);
        Assert.Equal(1, table.CountClusters());
        Assert.Equal(8, table.FirstFree);
        Assert.Equal(92, table.CountFree());
    }

    [Fact]
    public void A_scan_visits_active_flows_only()
    {
        FlowTable table = new(1_000_000, 16, 0);
        for (int i = 0; i < 1000; i++)
        {
            Allocate(table, i);
        }

        FreeSet visitor = new([]);
        table.Scan(ref visitor, CancellationToken.None, out int visited);
        Assert.Equal(1000, visited);
        Assert.Equal(1000, visitor.Calls);
    }

    [Fact]
    public void Lookup_finds_flows_through_shared_buckets_and_after_unlinking_others()
    {
        FlowTable table = new(64, 1, 0);
        for (int i = 0; i < 40; i++)
        {
            Allocate(table, i);
        }

        FreeSet visitor = new([5, 6, 30]);
        table.Scan(ref visitor, CancellationToken.None, out _);
        for (int i = 0; i < 40; i++)
        {
            FlowKey key = KeyOf(i);
            int slot = table.Lookup(ref key, Hash(i));
            Assert.Equal(i is 5 or 6 or 30 ? -1 : i, slot);
        }
    }

    [Fact]
    public void A_stopped_scan_leaves_a_valid_table()
    {
        const int capacity = 1 << 20;
        FlowTable table = new(capacity, 2 * capacity, 0);
        for (int i = 0; i < capacity; i += 2)
        {
            // Every other slot ends up free after the first pass: a worst case for clusters.
            Allocate(table, i);
            Allocate(table, i + 1);
        }

        FreeOdd odd = new();
        Assert.True(table.Scan(ref odd, CancellationToken.None, out _));
        Assert.Equal(capacity / 2, table.CountClusters());

        using CancellationTokenSource stop = new();
        stop.Cancel();
        FreeAll all = new();
        Assert.False(table.Scan(ref all, stop.Token, out int visited));
        Assert.True(visited < capacity / 2, $"a stopped scan visited {visited} flows");
        Assert.Equal(capacity, table.Active + table.CountFree());

        Assert.True(table.Scan(ref all, CancellationToken.None, out _));
        Assert.Equal(0, table.Active);
        Assert.Equal(1, table.CountClusters());
        Assert.Equal(capacity, table.CountFree());
    }

    [Fact]
    public void Eviction_frees_one_slot_of_a_full_table_only()
    {
        FlowTable table = new(4, 4, 0);
        for (int i = 0; i < 4; i++)
        {
            Allocate(table, i);
        }

        FlowKey key = KeyOf(9);
        Assert.Equal(-1, table.TryAllocate(ref key, Hash(9)));
        table.FreeWhenFull(2);
        Assert.Equal(2, table.TryAllocate(ref key, Hash(9)));
        Assert.Equal(2, table.Lookup(ref key, Hash(9)));
        FlowKey gone = KeyOf(2);
        Assert.Equal(-1, table.Lookup(ref gone, Hash(2)));
    }

    [Fact]
    public void A_full_table_doubles_up_to_its_cap_and_its_flows_survive()
    {
        FlowTable table = new(initialCapacity: 8, maxCapacity: 100, hashSize: 4, storageColumns: 1);
        Assert.Equal(8, table.Capacity);
        for (int i = 0; i < 8; i++)
        {
            Allocate(table, i);
            table.Storage[0][i] = $"flow {i}";
        }

        Assert.Equal(-1, table.FirstFree);
        Assert.Equal(0, table.Growths);

        // The ninth flow finds no free slot: the table doubles and it takes the lowest new slot.
        Assert.Equal(8, Allocate(table, 8));
        Assert.Equal(16, table.Capacity);
        Assert.Equal(1, table.Growths);
        Assert.Equal(7, table.CountFree());
        Assert.Equal(1, table.CountClusters());
        for (int i = 9; i < 100; i++)
        {
            Assert.Equal(i, Allocate(table, i));
        }

        // 16 -> 32 -> 64 -> 100 (the cap, not 128); then full.
        Assert.Equal(100, table.Capacity);
        Assert.Equal(4, table.Growths);
        Assert.Equal(-1, Allocate(table, 100));
        Assert.Equal(100, table.Capacity);
        Assert.Equal(4, table.BucketCount);
        for (int i = 0; i < 100; i++)
        {
            FlowKey key = KeyOf(i);
            Assert.Equal(i, table.Lookup(ref key, Hash(i)));
        }

        for (int i = 0; i < 8; i++)
        {
            Assert.Equal($"flow {i}", table.Storage[0][i]);
        }

        Assert.Equal(100, table.Storage[0].Length);
        FreeSet visitor = new([3, 50, 99]);
        Assert.True(table.Scan(ref visitor, CancellationToken.None, out int visited));
        Assert.Equal(100, visited);
        Assert.Equal(3, table.CountClusters());
        Assert.Equal(3, Allocate(table, 200));
    }

    [Fact]
    public void Ending_every_flow_empties_the_storage_of_every_slot_used_and_leaves_the_table_as_new()
    {
        FlowTable table = new(initialCapacity: 4, maxCapacity: 64, hashSize: 8, storageColumns: 2);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i, Allocate(table, i));
            table.Storage[0][i] = $"flow {i}";
            table.Storage[1][i] = i;
        }

        // Slot 19, the highest, ends early; 5 ends and is taken again.
        FreeSet early = new([5, 19]);
        Assert.True(table.Scan(ref early, CancellationToken.None, out _));
        Assert.Equal(5, Allocate(table, 100));
        table.Storage[0][5] = "flow 100";
        Assert.Equal(32, table.Capacity);

        FreeSet all = new([]);
        table.FreeAll(ref all);
        Assert.Equal(19, all.Calls);
        Assert.All(table.Storage, column => Assert.All(column, Assert.Null));
        Assert.Equal(0, table.Active);
        Assert.Equal(1, table.CountClusters());
        Assert.Equal(32, table.CountFree());

        // Again, from the lowest slot, with nothing of the first round's flows left in storage.
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, Allocate(table, 200 + i));
            Assert.Null(table.Storage[0][i]);
            table.Storage[0][i] = "second round";
        }

        FlowKey gone = KeyOf(7);
        Assert.Equal(-1, table.Lookup(ref gone, Hash(7)));
        table.FreeAll(ref all);
        Assert.All(table.Storage[0], Assert.Null);
        Assert.Equal(32, table.CountFree());
    }

    [Fact]
    public void A_grown_table_commits_memory_as_it_grows_not_up_front()
    {
        // 1M records of 156 bytes reserved; a few thousand committed.
        FlowTable table = new(initialCapacity: 1000, maxCapacity: 1_000_000, hashSize: 1024, storageColumns: 0);
        long atStart = table.NativeBytes;
        Assert.True(atStart < 2 << 20, $"{atStart} bytes committed for 1,000 flows");
        for (int i = 0; i < 5000; i++)
        {
            Allocate(table, i);
        }

        Assert.Equal(8000, table.Capacity);
        Assert.True(table.NativeBytes > atStart);
        Assert.True(table.NativeBytes < 8 << 20, $"{table.NativeBytes} bytes committed for 8,000 flows");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 1024)]
    [InlineData(65536, 65536)]
    public void The_index_has_hash_size_buckets_rounded_up_to_a_power_of_two(int hashSize, int buckets)
    {
        FlowTable table = new(initialCapacity: 10, maxCapacity: 100_000, hashSize, storageColumns: 0);
        Assert.Equal(buckets, table.BucketCount);
        for (int i = 0; i < 300; i++)
        {
            Allocate(table, i);
        }

        // One bucket: every flow on one chain, and still found.
        Assert.Equal(buckets, table.BucketCount);
        for (int i = 0; i < 300; i++)
        {
            FlowKey key = KeyOf(i);
            Assert.Equal(i, table.Lookup(ref key, Hash(i)));
        }
    }

    private static int Allocate(FlowTable table, int n)
    {
        FlowKey key = KeyOf(n);
        return table.TryAllocate(ref key, Hash(n));
    }

    private static FlowKey KeyOf(int n) => new() { LowPort = (ushort)n, HighPort = (ushort)(n >> 16), Protocol = 17 };

    private static uint Hash(int n) => (uint)n * 2654435761u;

    private struct FreeSet(HashSet<int> slots) : IFlowSlotVisitor
    {
        public int Calls;

        public bool Visit(int slot)
        {
            Calls++;
            return slots.Contains(slot);
        }
    }

    private struct FreeOdd : IFlowSlotVisitor
    {
        public readonly bool Visit(int slot) => (slot & 1) == 1;
    }

    private struct FreeAll : IFlowSlotVisitor
    {
        public readonly bool Visit(int slot) => true;
    }
}
