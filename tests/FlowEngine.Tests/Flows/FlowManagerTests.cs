using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>The manager's seam: emergency mode, its timeouts, its end, and eviction.</summary>
public class FlowManagerTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public void A_full_table_evicts_the_least_recently_seen_flow_and_gives_its_slot_to_the_new_one()
    {
        FlowShard shard = Shard(_sink, capacity: 4, options: new FlowEngineOptions { Prealloc = 4 });
        int[] slots =
        [
            shard.Send(Udp("10.3.0.1", 1, "10.3.0.9", 53), 3),
            shard.Send(Udp("10.3.0.2", 1, "10.3.0.9", 53), 4),
            shard.Send(Udp("10.3.0.3", 1, "10.3.0.9", 53), 1),
            shard.Send(Udp("10.3.0.4", 1, "10.3.0.9", 53), 5),
        ];
        Assert.Equal([0, 1, 2, 3], slots);
        Assert.False(shard.Manager.Emergency);

        // Nothing has timed out at 6 s: the emergency pass frees nothing and one flow goes.
        int created = shard.Send(Udp("10.3.0.5", 1, "10.3.0.9", 53), 6);

        Assert.True(shard.Manager.Emergency);
        Assert.Equal(2, created);
        Assert.Equal(1, shard.Counters.Evicted);
        FlowEndEvent evicted = Assert.Single(_sink.Events);
        Assert.Equal(FlowEndReason.Forced, evicted.Reason);
        Assert.Equal(Address("10.3.0.3"), evicted.Tuple.Source);
        Assert.Equal(4, shard.Table.Active);
    }

    [Fact]
    public void The_emergency_pass_applies_emergency_timeouts_before_anything_is_evicted()
    {
        FlowEngineOptions options = new() { Prealloc = 4 };
        options.Timeouts.Udp = new FlowTimeouts(30, 300, 0, 100, 10, 100, 0, 50);
        FlowShard shard = Shard(_sink, capacity: 4, options: options);
        shard.Send(Udp("10.3.1.1", 1, "10.3.1.9", 53), 0);
        shard.Send(Udp("10.3.1.2", 1, "10.3.1.9", 53), 1);
        shard.Send(Udp("10.3.1.3", 1, "10.3.1.9", 53), 15);
        shard.Send(Udp("10.3.1.4", 1, "10.3.1.9", 53), 16);

        // At 20 s the normal New timeout (30 s) has not passed, the emergency one (10 s) has for two flows.
        shard.Send(Udp("10.3.1.5", 1, "10.3.1.9", 53), 20);

        Assert.Equal(0, shard.Counters.Evicted);
        Assert.Equal(2, shard.Counters.TimedOut);
        Assert.All(_sink.Events, e => Assert.Equal(FlowEndReason.Timeout, e.Reason));
        Assert.Equal(3, shard.Table.Active);
    }

    [Fact]
    public void Emergency_mode_ends_when_a_pass_leaves_the_recovery_share_free()
    {
        FlowShard shard = Shard(_sink, capacity: 10, options: new FlowEngineOptions { Prealloc = 10, EmergencyRecovery = 30 });
        Assert.Equal(3, shard.Manager.RecoveryFree);
        for (int i = 0; i < 11; i++)
        {
            shard.Send(Udp($"10.3.2.{i + 1}", 1, "10.3.2.200", 53), i < 10 ? 0 : 5);
        }

        // The eleventh flow found the table full and nothing due even by emergency timeouts (New: 10 s).
        Assert.True(shard.Manager.Emergency);
        Assert.Equal(1, shard.Counters.Evicted);

        // At 12 s the nine flows of 0 s are past the emergency New timeout, the one of 5 s is not.
        shard.RunManagerPass(At(12), CancellationToken.None);
        Assert.False(shard.Manager.Emergency);
        Assert.Equal(1, shard.Counters.EmergencyOver);
        Assert.Equal(1, shard.Table.Active);
    }

    [Fact]
    public void The_pass_skips_nothing_in_emergency_mode()
    {
        FlowShard shard = Shard(_sink, capacity: 2, options: new FlowEngineOptions { Prealloc = 2 });
        shard.Send(Udp("10.3.3.1", 1, "10.3.3.9", 53), 0);
        shard.Send(Udp("10.3.3.2", 1, "10.3.3.9", 53), 0);
        shard.RunManagerPass(At(1), CancellationToken.None);
        long passes = shard.Counters.ManagerPasses;
        Assert.True(shard.RunManagerPassIfDue(At(2), CancellationToken.None));
        Assert.Equal(passes, shard.Counters.ManagerPasses);

        shard.Send(Udp("10.3.3.3", 1, "10.3.3.9", 53), 3);
        Assert.True(shard.Manager.Emergency);
        passes = shard.Counters.ManagerPasses;
        shard.RunManagerPassIfDue(At(4), CancellationToken.None);
        Assert.Equal(passes + 1, shard.Counters.ManagerPasses);
    }
}
