using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Tests.Flows;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowEngine.Tests.Pipeline;

/// <summary>Flows a capture bypassed before the process started come back as capture-bypassed flows.</summary>
public class RestoredBypassTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public async Task Restored_flows_are_capture_bypassed_with_their_counters_postponed_while_they_move_and_folded_on_release()
    {
        ManualClock clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        InMemoryBypassStrategy strategy = new();
        FlowTuple web = Tuple(false, "10.20.0.1", 40001, "10.20.0.2", 80, 6);
        FlowTuple dns = Tuple(true, "2001:db8:20::1", 5300, "2001:db8:20::2", 53, 17);
        RestoredBypassedFlow restoredWeb = strategy.Seed(web, 5, 500, 3, 3000);
        RestoredBypassedFlow restoredDns = strategy.Seed(dns, 2, 160, 2, 400);

        // The web flow is listed twice: the second is skipped, not a second flow.
        RestoringCaptureSource source = new("restore0", strategy, [restoredWeb, restoredDns, restoredWeb]);
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions { ManagerIntervalMilliseconds = 20 }, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance, clock);
        long start = clock.UnixNanoseconds;
        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync([source], stop.Token);

        await Wait.Until(() => engine.GetStatistics().Get("flow_bypassed.restored") == 2);
        EngineStatistics restored = engine.GetStatistics();
        Assert.Equal(2, restored.Get("flow.total"));
        Assert.Equal(2, restored.Get("flow.active"));
        Assert.Equal(5 + 3 + 2 + 2, restored.Get("flow_bypassed.pkts"));
        Assert.Equal(500 + 3000 + 160 + 400, restored.Get("flow_bypassed.bytes"));
        Assert.Equal(0, restored.Get("flow_bypassed.strategy_errors"));
        Assert.Equal(2, strategy.Adopted);
        Assert.Equal(1, source.Takes);

        // The capture keeps dropping the web flow; one packet still reaches the engine.
        strategy.Filter(web, 100);
        strategy.Filter(web, 100);
        strategy.Filter(web.Reverse(), 1000);
        TestFrame late = TestFrames.Tcp(clock.UnixNanoseconds + Ms, "10.20.0.1", 40001, "10.20.0.2", 80, 0x10, 20);
        source.Add([late]);
        await Wait.Until(() => engine.GetStatistics().Get("flow_bypassed.local_capture_pkts") == 1);
        Assert.Equal(2, engine.GetStatistics().Get("flow.total"));

        // Past the bypassed timeout (100 s): the web flow's counters moved, so it is postponed;
        // the dns flow's did not, so it ends and is released.
        clock.Advance(TimeSpan.FromSeconds(101));
        await Wait.Until(() => sink.Count == 1 && engine.GetStatistics().Get("flow_bypassed.pkts") == 15);
        await Task.Delay(100);
        FlowEndEvent dnsEnd = Assert.Single(sink.Events);
        Assert.Equal(dns, dnsEnd.Tuple);
        Assert.Equal(FlowEndReason.Timeout, dnsEnd.Reason);
        Assert.Equal(BypassKind.Capture, dnsEnd.Bypass);
        Assert.Equal(FlowState.CaptureBypassed, dnsEnd.State);
        Assert.Equal(start, dnsEnd.StartNanoseconds);
        Assert.Equal((2L, 160L, 2L, 400L), (dnsEnd.BypassedPacketsToServer, dnsEnd.BypassedBytesToServer, dnsEnd.BypassedPacketsToClient, dnsEnd.BypassedBytesToClient));
        Assert.Equal((2L, 2L), (dnsEnd.PacketsToServer, dnsEnd.PacketsToClient));
        Assert.Equal(1, strategy.ReleasesOf(dns));
        Assert.Equal(0, strategy.ReleasesOf(web));

        // One more drop after the last poll, then shutdown: Release folds it into the final totals.
        strategy.Filter(web.Reverse(), 1000);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        FlowEndEvent webEnd = sink.Events.Single(e => e.Tuple == web);
        Assert.Equal(FlowEndReason.Shutdown, webEnd.Reason);
        Assert.Equal(BypassKind.Capture, webEnd.Bypass);
        Assert.True(webEnd.HasBypassCounters);
        Assert.Equal(start, webEnd.StartNanoseconds);
        Assert.Equal((7L, 700L, 5L, 5000L), (webEnd.BypassedPacketsToServer, webEnd.BypassedBytesToServer, webEnd.BypassedPacketsToClient, webEnd.BypassedBytesToClient));
        Assert.Equal(7 + 1, webEnd.PacketsToServer);
        Assert.Equal(700 + late.Bytes.Length, webEnd.BytesToServer);
        Assert.Equal(5, webEnd.PacketsToClient);
        Assert.Equal(5000, webEnd.BytesToClient);
        Assert.Equal(1, strategy.ReleasesOf(web));
        Assert.Equal(0, strategy.Entries);

        EngineStatistics stats = engine.GetStatistics();
        Assert.Equal(2, stats.Get("flow_bypassed.restored"));
        Assert.Equal(7 + 5 + 2 + 2, stats.Get("flow_bypassed.pkts"));
        Assert.Equal(2, stats.Get("flow.end.state.capture_bypassed"));
        Assert.Equal(1, stats.Get("flow_bypassed.closed"));
        Assert.Equal(2, stats.Get("flow.total"));
        Assert.Equal(1, source.Takes);
    }

    [Fact]
    public async Task A_flow_the_strategy_cannot_adopt_is_kept_locally_bypassed_and_never_released()
    {
        ManualClock clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        InMemoryBypassStrategy strategy = new();
        FlowTuple flow = Tuple(false, "10.21.0.1", 40002, "10.21.0.2", 443, 6);

        // Listed by the source but gone from the strategy's table: Adopt throws.
        RestoredBypassedFlow gone = new(flow, 4, 400, 4, 4000);
        RestoringCaptureSource source = new("restore1", strategy, [gone]);
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions { ManagerIntervalMilliseconds = 20 }, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance, clock);
        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync([source], stop.Token);
        await Wait.Until(() => engine.GetStatistics().Get("flow_bypassed.strategy_errors") == 1);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        FlowEndEvent end = Assert.Single(sink.Events);
        Assert.Equal(BypassKind.Local, end.Bypass);
        Assert.Equal((4L, 4L), (end.BypassedPacketsToServer, end.BypassedPacketsToClient));
        Assert.Equal(0, strategy.TotalReleases);
        Assert.Equal(0, engine.GetStatistics().Get("flow_bypassed.restored"));
    }

    private static FlowTuple Tuple(bool ipv6, string source, ushort sourcePort, string destination, ushort destinationPort, byte protocol) =>
        new(ipv6, TestFlows.Address(source), TestFlows.Address(destination), sourcePort, destinationPort, protocol, 0, 0, 0, 0);
}
