using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

public class FlowTimeoutTests
{
    private readonly RecordingSink _sink = new();

    public static TheoryData<string, int> States => new()
    {
        { "tcp-new", 30 },
        { "tcp-established", 300 },
        { "tcp-closed", 10 },
        { "udp-new", 30 },
        { "udp-established", 300 },
        { "icmp-new", 30 },
        { "other-new", 30 },
        { "other-established", 300 },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void A_flow_ends_exactly_when_its_state_timeout_has_passed(string kind, int timeout)
    {
        FlowShard shard = Shard(_sink);
        double last = Build(shard, kind);
        shard.RunManagerPass(At(last + timeout - 0.001), CancellationToken.None);
        Assert.Equal(1, shard.Table.Active);
        Assert.Empty(_sink.Events);
        shard.RunManagerPass(At(last + timeout), CancellationToken.None);
        Assert.Equal(0, shard.Table.Active);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(FlowEndReason.Timeout, end.Reason);
        Assert.Equal("timeout", end.ReasonName);
        Assert.Equal(kind.Split('-')[1], end.StateName);
        Assert.Equal(At(last), end.EndNanoseconds);
    }

    [Fact]
    public void Configured_timeouts_apply_per_protocol()
    {
        FlowEngineOptions options = new();
        options.Timeouts.Udp = options.Timeouts.Udp with { New = 5 };
        FlowShard shard = Shard(_sink, options: options);
        shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);
        shard.Send(Tcp("10.0.0.1", 1, "10.0.0.2", 2, Syn), 0);
        shard.RunManagerPass(At(5), CancellationToken.None);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(17, end.Tuple.Protocol);
        Assert.Equal(1, shard.Table.Active);
    }

    [Fact]
    public void Local_bypassed_flows_use_the_bypassed_timeout()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);
        shard.RequestBypass(slot);
        shard.RunManagerPass(At(99.9), CancellationToken.None);
        Assert.Empty(_sink.Events);
        shard.RunManagerPass(At(100), CancellationToken.None);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(FlowState.LocalBypassed, end.State);
        Assert.Equal("bypassed", end.StateName);
        Assert.Equal("local", end.BypassName);
    }

    [Fact]
    public void A_shard_grows_its_table_from_prealloc_and_enters_emergency_mode_only_at_the_memcap()
    {
        // Memcap for about 40 flows (two storage columns: 172 bytes each, after a 16-bucket index).
        FlowEngineOptions options = new() { Prealloc = 5, HashSize = 16, Memcap = 64 + (40 * 172) };
        int cap = FlowShard.CapacityFor(options, 1, 2);
        Assert.Equal(40, cap);
        FlowShard shard = Shard(_sink, capacity: cap, options: options);
        Assert.Equal(5, shard.Table.Capacity);
        for (int i = 0; i < 40; i++)
        {
            shard.Send(Udp("10.0.0.1", (ushort)(1000 + i), "10.0.0.2", 53), 1);
        }

        // 5 -> 10 -> 20 -> 40: every flow kept, no emergency.
        Assert.Equal(40, shard.Table.Capacity);
        Assert.Equal(40, shard.Table.Active);
        Assert.False(shard.Emergency);
        Assert.Empty(_sink.Events);

        // The 41st flow: the table is at the cap, so emergency mode and an eviction, as before growth.
        shard.Send(Udp("10.0.0.1", 2000, "10.0.0.2", 53), 2);
        Assert.True(shard.Emergency);
        Assert.Equal(1, shard.Counters.EmergencyEntered);
        Assert.Equal(1, shard.Counters.Evicted);
        FlowEndEvent evicted = Assert.Single(_sink.Events);
        Assert.Equal(FlowEndReason.Forced, evicted.Reason);
        Assert.Equal(40, shard.Table.Capacity);
    }

    [Fact]
    public void Full_table_enters_emergency_mode_applies_emergency_timeouts_and_recovers()
    {
        // 10 flows, recovery at 30 % = 3 free.
        FlowShard shard = Shard(_sink, capacity: 10);
        for (int i = 0; i < 10; i++)
        {
            shard.Send(Udp("10.0.0.1", (ushort)(1000 + i), "10.0.0.2", 53), i < 2 ? 0 : 5);
        }

        // New timeout is 30 s, emergency-new 10 s: at 11 s the emergency pass ends the two oldest only.
        shard.Send(Udp("10.0.0.1", 2000, "10.0.0.2", 53), 11);
        Assert.True(shard.Emergency);
        Assert.Equal(1, shard.Counters.EmergencyEntered);
        Assert.Equal(2, _sink.Events.Count);
        Assert.All(_sink.Events, e => Assert.Equal(FlowEndReason.Timeout, e.Reason));
        Assert.Equal(0, shard.Counters.Evicted);
        Assert.Equal(9, shard.Table.Active);

        shard.RunManagerPass(At(14.9), CancellationToken.None);
        Assert.True(shard.Emergency);
        Assert.Equal(2, _sink.Events.Count);

        // Emergency timeouts still apply in regular passes: the eight flows of 5 s end at 15 s, not 35 s.
        shard.RunManagerPass(At(15), CancellationToken.None);
        Assert.Equal(10, _sink.Events.Count);
        Assert.False(shard.Emergency);
        Assert.Equal(1, shard.Counters.EmergencyOver);
        Assert.Equal(0, shard.Counters.Emergency);

        // Back to normal timeouts.
        shard.Send(Udp("10.0.0.1", 3000, "10.0.0.2", 53), 16);
        shard.RunManagerPass(At(40), CancellationToken.None);
        Assert.Equal(2, shard.Table.Active);
    }

    [Fact]
    public void Full_table_with_nothing_due_evicts_the_least_recently_seen_flow()
    {
        FlowShard shard = Shard(_sink, capacity: 4);
        for (int i = 0; i < 4; i++)
        {
            shard.Send(Udp("10.0.0.1", (ushort)(1000 + i), "10.0.0.2", 53), i);
        }

        shard.Send(Udp("10.0.0.1", 1000, "10.0.0.2", 53), 4);
        shard.Send(Udp("10.0.0.1", 2000, "10.0.0.2", 53), 5);
        FlowEndEvent evicted = Assert.Single(_sink.Events);
        Assert.Equal(FlowEndReason.Forced, evicted.Reason);
        Assert.Equal("forced", evicted.ReasonName);
        Assert.Equal(1001, evicted.Tuple.SourcePort);
        Assert.Equal(1, shard.Counters.Evicted);

        // Within a second of the emergency pass, the next new flow evicts without another pass.
        shard.Send(Udp("10.0.0.1", 2001, "10.0.0.2", 53), 5.5);
        Assert.Equal(2, _sink.Events.Count);
        Assert.Equal(1, shard.Counters.ManagerPasses);
        Assert.Equal(4, shard.Table.Active);
    }

    [Fact]
    public void A_manager_pass_over_a_million_slots_stops_when_asked_and_the_next_pass_finishes()
    {
        RecordingSink counting = new(keep: false);
        const int capacity = 1 << 20;
        FlowShard shard = Shard(counting, capacity: capacity);
        for (int i = 0; i < capacity; i++)
        {
            PacketLayer layer = Udp("10.0.0.1", (ushort)i, i < 65536 ? "10.0.0.2" : "10.0.0.3", (ushort)(i >> 16));
            shard.Track(in layer, At(0), 64, 0, 0, 0, out _, out _);
        }

        Assert.Equal(capacity, shard.Table.Active);
        using CancellationTokenSource stop = new();
        stop.Cancel();
        Assert.False(shard.RunManagerPass(At(1000), stop.Token));
        Assert.Equal(1, shard.Counters.ManagerStopped);
        Assert.True(counting.Count < capacity);

        Assert.True(shard.RunManagerPass(At(1000), CancellationToken.None));
        Assert.Equal(capacity, counting.Count);
        Assert.Equal(0, shard.Table.Active);
        Assert.Equal(capacity, shard.Table.CountFree());
    }

    private static double Build(FlowShard shard, string kind)
    {
        switch (kind)
        {
            case "tcp-new":
                shard.Send(Tcp("10.0.0.1", 1, "10.0.0.2", 2, Syn), 0);
                return 0;
            case "tcp-established":
                shard.Send(Tcp("10.0.0.1", 1, "10.0.0.2", 2, Syn), 0);
                shard.Send(Tcp("10.0.0.2", 2, "10.0.0.1", 1, Syn | Ack), 1);
                shard.Send(Tcp("10.0.0.1", 1, "10.0.0.2", 2, Ack), 2);
                return 2;
            case "tcp-closed":
                shard.Send(Tcp("10.0.0.1", 1, "10.0.0.2", 2, Syn), 0);
                shard.Send(Tcp("10.0.0.2", 2, "10.0.0.1", 1, Rst | Ack), 1);
                return 1;
            case "udp-new":
                shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);
                return 0;
            case "udp-established":
                shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);
                shard.Send(Udp("10.0.0.2", 2, "10.0.0.1", 1), 3);
                return 3;
            case "icmp-new":
                shard.Send(Layer("10.0.0.1", 9, "10.0.0.2", 0, 1), 0);
                return 0;
            case "other-new":
                shard.Send(Layer("10.0.0.1", 0, "10.0.0.2", 0, 132), 0);
                return 0;
            case "other-established":
                shard.Send(Layer("10.0.0.1", 0, "10.0.0.2", 0, 132), 0);
                shard.Send(Layer("10.0.0.2", 0, "10.0.0.1", 0, 132), 4);
                return 4;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
