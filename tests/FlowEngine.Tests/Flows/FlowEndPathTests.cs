using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>Every way a capture-bypassed flow can end logs its final totals and releases it exactly once.</summary>
public class FlowEndPathTests
{
    private readonly RecordingSink _sink = new();
    private readonly InMemoryBypassStrategy _capture = new();

    [Theory]
    [InlineData("timeout")]
    [InlineData("eviction")]
    [InlineData("emergency")]
    [InlineData("end-of-capture")]
    [InlineData("shutdown")]
    public void Final_totals_include_the_capture_counters_and_release_runs_once(string path)
    {
        FlowShard shard = Shard(_sink, _capture, capacity: 2);
        PacketLayer up = Udp("10.2.0.1", 5000, "10.2.0.2", 6000, 50);
        PacketLayer down = Udp("10.2.0.2", 6000, "10.2.0.1", 5000, 500);
        int slot = shard.Send(up, 0, 92);
        shard.Send(down, 0.1, 542);
        shard.RequestBypass(slot);
        FlowTuple flow = shard.BuildTuple(slot);
        Assert.True(shard.Deliver(_capture, up, 1, 92));
        Assert.True(shard.Deliver(_capture, down, 2, 542));
        Assert.True(shard.Deliver(_capture, down, 3, 542));

        FlowEndReason expected;
        switch (path)
        {
            case "timeout":
                // Alive at the first poll (packets moved), dead at the next.
                shard.RunManagerPass(At(100.1), CancellationToken.None);
                shard.RunManagerPass(At(200.1), CancellationToken.None);
                expected = FlowEndReason.Timeout;
                break;
            case "eviction":
                shard.Send(Udp("10.2.0.9", 1, "10.2.0.2", 2), 4);
                shard.Send(Udp("10.2.0.9", 3, "10.2.0.2", 4), 5);
                expected = FlowEndReason.Forced;
                break;
            case "emergency":
                // A regular poll finds the capture's packets (postponed to 100.1); the other flow times out.
                shard.Send(Udp("10.2.0.9", 1, "10.2.0.2", 2), 0.2);
                shard.RunManagerPass(At(100.1), CancellationToken.None);
                shard.Send(Udp("10.2.0.9", 5, "10.2.0.2", 6), 100.2);
                Assert.Equal(0, shard.Counters.EmergencyEntered);

                // Full: the emergency pass uses the emergency bypassed timeout (50 s) and finds the capture quiet.
                shard.Send(Udp("10.2.0.9", 3, "10.2.0.2", 4), 151);
                Assert.Equal(1, shard.Counters.EmergencyEntered);
                expected = FlowEndReason.Timeout;
                break;
            default:
                shard.EndAll(FlowEndReason.Shutdown);
                expected = FlowEndReason.Shutdown;
                break;
        }

        FlowEndEvent end = _sink.Events.Single(e => e.Tuple == flow);
        Assert.Equal(expected, end.Reason);
        Assert.Equal(1, _capture.ReleasesOf(flow));
        Assert.Equal(0, _capture.Entries);
        Assert.Equal(BypassKind.Capture, end.Bypass);
        Assert.Equal(1, end.BypassedPacketsToServer);
        Assert.Equal(2, end.BypassedPacketsToClient);
        Assert.Equal(92, end.BypassedBytesToServer);
        Assert.Equal(1084, end.BypassedBytesToClient);
        Assert.Equal(2, end.PacketsToServer);
        Assert.Equal(3, end.PacketsToClient);
        Assert.Equal(184, end.BytesToServer);
        Assert.Equal(1626, end.BytesToClient);
        Assert.Equal(3, shard.Counters.BypassedPackets);
        Assert.Equal(1, shard.Counters.EndCaptureBypassed);

        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(1, _capture.ReleasesOf(flow));
        Assert.Single(_sink.Events, e => e.Tuple == flow);
    }

    [Fact]
    public void End_state_counters_follow_the_state_at_the_end()
    {
        FlowShard shard = Shard(_sink);
        shard.Send(Udp("10.3.0.1", 1, "10.3.0.2", 2), 0);
        shard.Send(Udp("10.3.0.1", 3, "10.3.0.2", 4), 0);
        shard.Send(Udp("10.3.0.2", 4, "10.3.0.1", 3), 0);
        shard.Send(Tcp("10.3.0.1", 5, "10.3.0.2", 6, Rst), 0);
        int bypassed = shard.Send(Udp("10.3.0.1", 7, "10.3.0.2", 8), 0);
        shard.RequestBypass(bypassed);
        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(1, shard.Counters.EndNew);
        Assert.Equal(1, shard.Counters.EndEstablished);
        Assert.Equal(1, shard.Counters.EndClosed);
        Assert.Equal(1, shard.Counters.EndLocalBypassed);
        Assert.Equal(4, shard.Counters.EndedAtShutdown);
        Assert.All(_sink.Events, e => Assert.Equal("shutdown", e.ReasonName));
        Assert.Equal(0, shard.Table.Active);
    }

    [Fact]
    public void A_failing_sink_is_counted_and_the_table_stays_consistent()
    {
        FlowShard shard = new(new(), 16, 1, 0, new FlowHasher(1), 0, "t", null, new ThrowingSink(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        shard.Send(Udp("10.3.0.1", 1, "10.3.0.2", 2), 0);
        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(1, shard.Counters.SinkErrors);
        Assert.Equal(0, shard.Table.Active);
    }

    private sealed class ThrowingSink : IFlowEventSink
    {
        public void OnFlowEnd(in FlowEndEvent flowEnd) => throw new IOException("disk full");
    }
}
