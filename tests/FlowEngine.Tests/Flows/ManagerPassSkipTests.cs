using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>The periodic manager call skips a pass only while no flow can be due, so no flow ends late.</summary>
public class ManagerPassSkipTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public void A_pass_is_skipped_while_no_flow_can_be_due_and_the_flow_still_ends_exactly_on_time()
    {
        FlowShard shard = Shard(_sink, options: Timeouts());
        shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);

        shard.RunManagerPass(At(1), CancellationToken.None);
        Assert.Equal(1, shard.Counters.ManagerPasses);

        // Due next: the flow at 30 s, a flow created after the pass at 1 + 20 s (the shortest timeout).
        shard.RunManagerPassIfDue(At(2), CancellationToken.None);
        shard.RunManagerPassIfDue(At(20.9), CancellationToken.None);
        Assert.Equal((1L, 2L), (shard.Counters.ManagerPasses, shard.Counters.ManagerSkipped));

        shard.RunManagerPassIfDue(At(21), CancellationToken.None);
        Assert.Equal(2, shard.Counters.ManagerPasses);
        Assert.Equal(1, shard.Table.Active);

        shard.RunManagerPassIfDue(At(29.9), CancellationToken.None);
        Assert.Equal((2L, 3L), (shard.Counters.ManagerPasses, shard.Counters.ManagerSkipped));
        shard.RunManagerPassIfDue(At(30), CancellationToken.None);
        Assert.Equal(3, shard.Counters.ManagerPasses);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(At(0), end.EndNanoseconds);
        Assert.Equal(0, shard.Table.Active);
    }

    [Fact]
    public void A_flow_created_after_a_pass_with_the_shortest_timeout_is_not_missed()
    {
        FlowShard shard = Shard(_sink, options: Timeouts());
        shard.RunManagerPass(At(0), CancellationToken.None);

        // Closed 0.5 s after the empty pass: due at 20.5 s, the pass bound said 20 s.
        shard.Send(Tcp("10.0.0.1", 1000, "10.0.0.2", 80, Syn), 0.1);
        shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 1000, Syn | Ack), 0.2);
        shard.Send(Tcp("10.0.0.1", 1000, "10.0.0.2", 80, Ack), 0.3);
        shard.Send(Tcp("10.0.0.1", 1000, "10.0.0.2", 80, Fin | Ack), 0.4);
        shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 1000, Fin | Ack), 0.5);

        shard.RunManagerPassIfDue(At(19.9), CancellationToken.None);
        Assert.Equal(1, shard.Counters.ManagerSkipped);
        shard.RunManagerPassIfDue(At(20), CancellationToken.None);
        Assert.Equal(1, shard.Table.Active);
        shard.RunManagerPassIfDue(At(20.5), CancellationToken.None);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal("closed", end.StateName);
        Assert.Equal(0, shard.Table.Active);
    }

    [Fact]
    public void A_clock_that_went_back_or_emergency_mode_always_gets_a_pass()
    {
        FlowShard shard = Shard(_sink, options: Timeouts());
        shard.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 100);
        shard.RunManagerPass(At(101), CancellationToken.None);
        shard.RunManagerPassIfDue(At(50), CancellationToken.None);
        Assert.Equal((2L, 0L), (shard.Counters.ManagerPasses, shard.Counters.ManagerSkipped));

        FlowShard full = Shard(_sink, capacity: 2, options: Timeouts());
        full.Send(Udp("10.0.0.1", 1, "10.0.0.2", 2), 0);
        full.Send(Udp("10.0.0.1", 3, "10.0.0.2", 4), 0);
        full.Send(Udp("10.0.0.1", 5, "10.0.0.2", 6), 0);
        Assert.True(full.Emergency);
        long passes = full.Counters.ManagerPasses;
        full.RunManagerPassIfDue(At(0.5), CancellationToken.None);
        full.RunManagerPassIfDue(At(0.6), CancellationToken.None);
        Assert.Equal(passes + 2, full.Counters.ManagerPasses);
        Assert.Equal(0, full.Counters.ManagerSkipped);
    }

    /// <summary>Every class: new 30, established 300, closed 20, bypassed 100; the emergency values alike.</summary>
    private static FlowEngineOptions Timeouts()
    {
        FlowTimeouts all = new(30, 300, 20, 100, 30, 300, 20, 100);
        FlowEngineOptions options = new();
        options.Timeouts.Default = all;
        options.Timeouts.Tcp = all;
        options.Timeouts.Udp = all;
        options.Timeouts.Icmp = all;
        return options;
    }
}
