using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>The whole bypass callback cycle against a real in-memory capture-side table.</summary>
public class BypassCycleTests
{
    private static readonly PacketLayer ClientToServer = Tcp("10.1.0.1", 40000, "10.1.0.2", 443, Ack, 100);
    private static readonly PacketLayer ServerToClient = Tcp("10.1.0.2", 443, "10.1.0.1", 40000, Ack, 1000);
    private readonly RecordingSink _sink = new();
    private readonly InMemoryBypassStrategy _capture = new();

    [Fact]
    public void Without_a_strategy_a_bypass_is_local_and_later_packets_are_dropped_and_counted()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(ClientToServer, 0, 150);
        shard.RequestBypass(slot);
        Assert.Equal(FlowState.LocalBypassed, shard.Table.Slots[slot].State);
        Assert.True(shard.SendDropped(ServerToClient, 1, 1050));
        Assert.True(shard.SendDropped(ClientToServer, 2, 150));
        Assert.Equal(2, shard.Counters.LocalPackets);
        Assert.Equal(1200, shard.Counters.LocalBytes);
        Assert.Equal(1, shard.Counters.BypassRequests);

        shard.EndAll(FlowEndReason.Shutdown);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(BypassKind.Local, end.Bypass);
        Assert.Equal(2, end.PacketsToServer);
        Assert.Equal(1, end.PacketsToClient);
        Assert.Equal(0, end.BypassedPacketsToServer);
        Assert.True(end.HasBypassCounters);
        Assert.Equal(1, shard.Counters.EndLocalBypassed);
    }

    [Fact]
    public void Capture_bypass_postpones_the_timeout_while_the_capture_sees_packets_then_releases_once()
    {
        FlowShard shard = Shard(_sink, _capture);
        int slot = shard.Send(ClientToServer, 0, 150);
        shard.Send(ServerToClient, 0.5, 1050);
        // Triggered by a to-client packet: counters must still keep the flow's own direction.
        shard.RequestBypass(slot);
        Assert.Equal(FlowState.CaptureBypassed, shard.Table.Slots[slot].State);
        FlowTuple flow = shard.BuildTuple(slot);
        Assert.Equal(Address("10.1.0.1"), flow.Source);
        Assert.Equal(1, _capture.Entries);

        // One packet already in the ring reaches the engine: local_capture, not kernel.
        Assert.True(shard.SendDropped(ClientToServer, 0.6, 150));
        Assert.Equal(1, shard.Counters.LocalCapturePackets);
        Assert.Equal(150, shard.Counters.LocalCaptureBytes);

        // The capture drops the rest: 3 to server, 5 to client.
        for (int i = 0; i < 3; i++)
        {
            Assert.True(shard.Deliver(_capture, ClientToServer, 10 + i, 150));
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.True(shard.Deliver(_capture, ServerToClient, 20 + i, 1050));
        }

        // Bypassed timeout 100 s after last seen (0.5): the capture saw packets, so the flow lives on.
        shard.RunManagerPass(At(100.5), CancellationToken.None);
        Assert.Empty(_sink.Events);
        Assert.Equal(At(100.5), shard.Table.Slots[slot].LastSeenNanoseconds);
        Assert.Equal(8, shard.Counters.BypassedPackets);
        Assert.Equal(3 * 150 + 5 * 1050, shard.Counters.BypassedBytes);
        Assert.Equal(0, _capture.ReleasesOf(flow));

        // More dropped packets, then silence: alive at 200.5, dead at 300.5.
        Assert.True(shard.Deliver(_capture, ServerToClient, 150, 1050));
        shard.RunManagerPass(At(200.4), CancellationToken.None);
        Assert.Empty(_sink.Events);
        shard.RunManagerPass(At(200.5), CancellationToken.None);
        Assert.Empty(_sink.Events);
        shard.RunManagerPass(At(300.5), CancellationToken.None);

        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(1, _capture.ReleasesOf(flow));
        Assert.Equal(0, _capture.Entries);
        Assert.Equal(FlowEndReason.Timeout, end.Reason);
        Assert.Equal(BypassKind.Capture, end.Bypass);
        Assert.Equal("capture", end.BypassName);
        Assert.Equal(FlowState.CaptureBypassed, end.State);
        Assert.Equal(3, end.BypassedPacketsToServer);
        Assert.Equal(6, end.BypassedPacketsToClient);
        Assert.Equal(450, end.BypassedBytesToServer);
        Assert.Equal(6 * 1050, end.BypassedBytesToClient);
        Assert.Equal(2 + 3, end.PacketsToServer);
        Assert.Equal(1 + 6, end.PacketsToClient);
        Assert.Equal(150 + 150 + 450, end.BytesToServer);
        Assert.Equal(1050 + (6 * 1050), end.BytesToClient);
        Assert.Equal(At(200.5), end.EndNanoseconds);
        Assert.Equal(1, shard.Counters.BypassedClosed);
        Assert.Equal(9, shard.Counters.BypassedPackets);
        Assert.Equal(1, shard.Counters.EndCaptureBypassed);
    }

    [Fact]
    public void A_capture_bypassed_flow_that_keeps_arriving_is_downgraded_to_local_and_released_once()
    {
        FlowShard shard = Shard(_sink, _capture);
        int slot = shard.Send(ClientToServer, 0, 150);
        shard.RequestBypass(slot);
        FlowTuple flow = shard.BuildTuple(slot);
        Assert.True(shard.Deliver(_capture, ServerToClient, 1, 1050));

        // The capture "forgets" the entry (a broken filter): packets keep reaching the engine.
        Assert.True(shard.SendDropped(ClientToServer, 49, 150));
        Assert.Equal(FlowState.CaptureBypassed, shard.Table.Slots[slot].State);
        Assert.True(shard.SendDropped(ClientToServer, 50.5, 150));
        Assert.Equal(FlowState.LocalBypassed, shard.Table.Slots[slot].State);
        Assert.Equal(1, shard.Counters.Downgraded);
        Assert.Equal(1, _capture.ReleasesOf(flow));
        Assert.Equal(0, _capture.Entries);
        Assert.Equal(2, shard.Counters.LocalCapturePackets);

        Assert.True(shard.SendDropped(ClientToServer, 51, 150));
        Assert.Equal(1, shard.Counters.LocalPackets);

        shard.RunManagerPass(At(151), CancellationToken.None);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal(1, _capture.ReleasesOf(flow));
        Assert.Equal(BypassKind.Local, end.Bypass);
        Assert.Equal(1, end.BypassedPacketsToClient);
        Assert.Equal(4, end.PacketsToServer);
        Assert.Equal(1, end.PacketsToClient);
    }

    [Fact]
    public void A_refused_capture_bypass_leaves_the_flow_locally_bypassed()
    {
        InMemoryBypassStrategy full = new(capacity: 0);
        FlowShard shard = Shard(_sink, full);
        int slot = shard.Send(ClientToServer, 0);
        shard.RequestBypass(slot);
        Assert.Equal(FlowState.LocalBypassed, shard.Table.Slots[slot].State);
        Assert.Equal(1, shard.Counters.CaptureBypassFailure);
        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(0, full.TotalReleases);
        Assert.Equal(BypassKind.Local, Assert.Single(_sink.Events).Bypass);
    }

    [Fact]
    public void A_second_bypass_request_changes_nothing()
    {
        FlowShard shard = Shard(_sink, _capture);
        int slot = shard.Send(ClientToServer, 0);
        shard.RequestBypass(slot);
        shard.RequestBypass(slot);
        Assert.Equal(1, shard.Counters.BypassRequests);
        Assert.Equal(1, shard.Counters.CaptureBypassSuccess);
    }

    [Fact]
    public void A_failing_strategy_is_counted_and_the_flow_is_released_and_ended()
    {
        FlowShard shard = Shard(_sink, _capture);
        int slot = shard.Send(ClientToServer, 0);
        shard.RequestBypass(slot);
        _capture.ThrowOnSeenSince = true;
        shard.RunManagerPass(At(100), CancellationToken.None);
        Assert.Equal(1, shard.Counters.StrategyErrors);
        Assert.Single(_sink.Events);
        Assert.Equal(1, _capture.TotalReleases);
    }
}
