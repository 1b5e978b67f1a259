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
        FlowTable table = new(capacity, 16, 0);
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
