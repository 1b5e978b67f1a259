using Capture.Tests.Shared;
using FlowEngine.Flows;
using FlowEngine.Storage;
using FlowEngine.Stream;
using FlowEngine.Tests.Stream;

namespace FlowEngine.Tests.Flows;

/// <summary>Storage values of ended flows, reset and kept by their shard for its next flows.</summary>
public sealed class FlowStateReuseTests
{
    [Fact]
    public void A_flow_that_ends_leaves_the_values_of_a_reusable_column_to_the_next_flow_which_takes_them_reset()
    {
        FlowTable table = new(8, 16, storageColumns: 2, reusableColumns: [true, false]);
        PacketCount[] counts = new PacketCount[3];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, Allocate(table, i));
            counts[i] = new PacketCount { Packets = 10 + i };
            table.Storage[0][i] = counts[i];
            table.Storage[1][i] = $"flow {i}";
        }

        EndSlots ending = new([1]);
        Assert.True(table.Scan(ref ending, CancellationToken.None, out _));
        Assert.Null(table.Storage[0][1]);
        Assert.Equal(1, table.ReusableCount(0));
        Assert.Equal(0, table.ReusableCount(1));

        // Kept untouched; reset when taken.
        Assert.Equal(0, counts[1].Resets);
        Assert.Same(counts[1], table.TakeReusable(0));
        Assert.Equal(0, counts[1].Packets);
        Assert.Equal(1, counts[1].Resets);
        Assert.Equal(10, counts[0].Packets);
        Assert.Null(table.TakeReusable(0));
        Assert.Null(table.TakeReusable(1));

        table.FreeAll(ref ending);
        Assert.Equal(0, table.ReusableCount(0));
        Assert.Equal(0, counts[0].Resets);
    }

    [Fact]
    public void The_pool_keeps_values_up_to_its_bound_and_hands_them_back_reset_last_first()
    {
        FlowStatePool pool = new(capacity: 2);
        PacketCount first = new() { Packets = 1 };
        PacketCount second = new() { Packets = 2 };
        PacketCount third = new() { Packets = 3 };
        Assert.True(pool.TryKeep(first));
        Assert.True(pool.TryKeep(second));
        Assert.False(pool.TryKeep(third));
        Assert.Same(second, pool.Take());
        Assert.Equal((0, 1), (second.Packets, second.Resets));
        Assert.Same(first, pool.Take());
        Assert.Equal((0, 1), (first.Packets, first.Resets));
        Assert.Null(pool.Take());
        Assert.Equal((3, 0), (third.Packets, third.Resets));
    }

    [Fact]
    public void Only_the_columns_of_reusable_slot_types_are_kept()
    {
        FlowStorageRegistry registry = new();
        _ = registry.Register<string>("name");
        _ = registry.Register<PacketCount>("count");
        Assert.Equal([false, true], registry.ReusableColumns());
    }

    [Fact]
    public void A_tcp_session_reset_is_a_new_session()
    {
        ResetCheck.AssertResetLikeNew(new TcpSession(), session => session.Reset(), new TcpSession());
    }

    [Fact]
    public void A_new_tcp_session_takes_the_session_of_a_flow_that_timed_out_and_starts_as_a_new_one_would()
    {
        TcpConversation c = new TcpConversation().Handshake(timestamps: true);
        c.ToServer(0x18, 1001, 5001, payload: 10, tsVal: 102, tsEcr: 200);
        TcpSession used = c.Session!;
        Assert.Equal(TcpState.Established, used.State);
        Assert.True(c.Shard.Manager.RunPass(TestFlows.At(1_000_000), CancellationToken.None));
        Assert.Equal(0, c.Shard.Table.Active);
        Assert.Equal(1, c.Shard.Table.ReusableCount(1));

        c.ToServer(TestFlows.Syn, 7000, 0);
        Assert.Same(used, c.Session);
        TcpConversation fresh = new TcpConversation().ToServer(TestFlows.Syn, 7000, 0);
        TcpSession expected = fresh.Session!;
        Assert.NotSame(expected, used);
        Assert.Equal(expected.State, used.State);
        Assert.Equal(expected.PreviousState, used.PreviousState);
        Assert.Equal(expected.Flags, used.Flags);
        Assert.Equal(expected.ClientTcpFlags, used.ClientTcpFlags);
        Assert.Equal(expected.ServerTcpFlags, used.ServerTcpFlags);
        Assert.Equal(expected.Client, used.Client);
        Assert.Equal(expected.Server, used.Server);
        Assert.Equal(2, c.Shard.Counters.TcpSessions);
    }

    private static int Allocate(FlowTable table, int n)
    {
        FlowKey key = new() { LowPort = (ushort)n, Protocol = 17 };
        return table.TryAllocate(ref key, (uint)n * 2654435761u);
    }

    private sealed class PacketCount : IReusableFlowState
    {
        public int Packets { get; set; }

        public int Resets { get; private set; }

        public void Reset()
        {
            Packets = 0;
            Resets++;
        }
    }

    private readonly struct EndSlots(HashSet<int> slots) : IFlowSlotVisitor
    {
        public bool Visit(int slot) => slots.Contains(slot);
    }
}
