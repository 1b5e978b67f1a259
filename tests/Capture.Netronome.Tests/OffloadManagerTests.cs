using System.Diagnostics;
using Capture.Abstractions;
using Capture.Linux.Xdp;
using Capture.Netronome.Bypass;
using Capture.Tests.Kernel;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using FrameBuilder = Capture.Conformance.FrameBuilder;

namespace Capture.Netronome.Tests;

/// <summary>The bypass manager's queue: a full queue and an unanswered request fail cleanly and leave nothing in the maps.</summary>
public sealed class OffloadManagerTests(OffloadManagerNet net, ITestOutputHelper output) : IClassFixture<OffloadManagerNet>
{
    [Fact]
    public void A_full_queue_fails_at_once_and_is_counted_by_reason()
    {
        using XdpBypassFilter filter = StartFilter();
        using var manager = new OffloadBypassManager(new OffloadManagerOptions { QueueCapacity = 0 }, NullLogger.Instance, PrivateThread);
        var strategy = new OffloadBypassStrategy(filter, manager, NullLogger.Instance);
        BypassOutcome outcome = strategy.TryBypass(FrameBuilder.Flow("10.64.0.1", 1000, "10.64.0.2", 80, 6), new BypassRecord());
        Assert.Equal(BypassFailure.Error, outcome.Failure);
        Assert.Contains("queue is full", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(1, manager.GetStatistics().FailedQueueFull);
        Assert.Equal(1, strategy.GetStatistics().IPv4.Failure);
        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
    }

    [Fact]
    public void An_insert_not_answered_in_time_fails_and_is_never_done_later()
    {
        using XdpBypassFilter filter = StartFilter();
        // The first insert times out whatever the timeout, since no manager thread runs yet; the
        // answered one must not miss it because a loaded machine schedules the manager late.
        using var manager = new OffloadBypassManager(new OffloadManagerOptions { AnswerTimeout = TimeSpan.FromSeconds(2) }, NullLogger.Instance, PrivateThread);
        var strategy = new OffloadBypassStrategy(filter, manager, NullLogger.Instance);
        FlowTuple flow = FrameBuilder.Flow("2001:db8:64::1", 1000, "2001:db8:64::2", 80, 17);

        // The manager thread is not running yet: nobody answers.
        var record = new BypassRecord();
        BypassOutcome outcome = strategy.TryBypass(flow, record);
        Assert.Equal(BypassFailure.Error, outcome.Failure);
        Assert.Contains("no answer from the bypass manager", outcome.Detail, StringComparison.Ordinal);
        Assert.Null(record.Strategy);
        Assert.Equal(1, manager.GetStatistics().FailedTimeout);
        Assert.Equal(1, manager.GetStatistics().QueueDepth);

        // Once it runs, the abandoned request is skipped: a poll that started now comes after the
        // manager's pass over the insert queue.
        manager.Start();
        Assert.True(manager.WaitForPoll(manager.PollsStarted + 1, Stopwatch.GetTimestamp()), "the manager thread made no poll");
        Assert.Equal(0, manager.GetStatistics().QueueDepth);
        Assert.Equal(0, manager.GetStatistics().Inserted);
        Assert.Equal(0, strategy.GetStatistics().IPv6.EntriesOffloaded);

        // The next one is inserted.
        FlowTuple next = flow with { SourcePort = 1001 };
        var nextRecord = new BypassRecord();
        Assert.True(strategy.TryBypass(next, nextRecord).Succeeded);
        OffloadManagerStatistics statistics = manager.GetStatistics();
        Assert.Equal(0, statistics.QueueDepth);
        Assert.Equal(1, statistics.Inserted);
        Assert.Equal(1, strategy.GetStatistics().IPv6.EntriesOffloaded);
        Assert.Equal(1, strategy.GetStatistics().IPv6.Success);
        strategy.Release(next, nextRecord);
        Assert.Equal(0, strategy.GetStatistics().IPv6.EntriesOffloaded);
    }

    [Fact]
    public void Inserts_and_liveness_reads_are_timed_and_reported()
    {
        using XdpBypassFilter filter = StartFilter();
        using var manager = new OffloadBypassManager(new OffloadManagerOptions(), NullLogger.Instance, PrivateThread);
        manager.Start();
        var strategy = new OffloadBypassStrategy(filter, manager, NullLogger.Instance);
        using (var register = new OffloadRequest(OffloadRequestKind.Register, strategy, default, null))
        {
            manager.Control(register);
        }

        const int Flows = 2000;
        var flows = new (FlowTuple Flow, BypassRecord Record)[Flows];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < Flows; i++)
        {
            flows[i] = (FrameBuilder.Flow($"10.65.{i / 250}.{(i % 250) + 1}", (ushort)(20000 + i), "10.65.200.1", 443, 6), new BypassRecord());
            Assert.True(strategy.TryBypass(flows[i].Flow, flows[i].Record).Succeeded);
        }

        double insertSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        int seen = flows.Count(f => strategy.SeenSince(f.Flow, f.Record, 0));
        double checkSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(0, seen);
        OffloadManagerStatistics statistics = manager.GetStatistics();
        output.WriteLine($"{Flows} TryBypass calls through the manager: {Flows / insertSeconds:0} flows/s; insert on the manager thread {statistics.AverageInsertMilliseconds * 1000:0.0} us average, {statistics.MaxInsertMilliseconds:0.###} ms max; longest queue wait {statistics.MaxQueueWaitMilliseconds:0.###} ms");
        output.WriteLine($"{Flows} SeenSince calls: {checkSeconds * 1000:0.0} ms in total, {statistics.Polls} batch poll(s) of the shared maps");
        Assert.True(statistics.Polls < Flows / 10, $"{Flows} liveness checks should share polls, not cause {statistics.Polls}");
        foreach ((FlowTuple flow, BypassRecord record) in flows)
        {
            strategy.Release(flow, record);
        }

        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
        using (var unregister = new OffloadRequest(OffloadRequestKind.Unregister, strategy, default, null))
        {
            manager.Control(unregister);
        }
    }

    [Fact]
    public void GRO_on_a_capture_interface_is_detected_for_the_warning()
    {
        GroSwitch.Set(net.HostInterface, true);
        Assert.True(Capture.Netronome.Native.ReceiveOffload.IsGroOn(net.HostInterface));
        GroSwitch.Set(net.HostInterface, false);
        Assert.False(Capture.Netronome.Native.ReceiveOffload.IsGroOn(net.HostInterface));
        Assert.Null(Capture.Netronome.Native.ReceiveOffload.IsGroOn("ntrnosuch0"));
    }

    // Not the plugin's thread name: another class counts the plugin's manager threads meanwhile.
    private const string PrivateThread = "ntr-test-bypass";

    private XdpBypassFilter StartFilter() => XdpBypassFilter.Start(new XdpBypassOptions
    {
        Interface = net.HostInterface,
        Mode = XdpMode.Soft,
        PerCpuMaps = false,
        MapCapacity = 8192,
    });
}
