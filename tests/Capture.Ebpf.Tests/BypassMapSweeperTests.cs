using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>The sweeper expires orphans whose counters stopped, keeps owned and moving entries, and stops when asked.</summary>
public sealed class BypassMapSweeperTests(SweeperNet net) : IClassFixture<SweeperNet>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Expires_orphans_once_their_counters_stop_and_keeps_owned_flows(bool perCpu)
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft, PerCpuMaps = perCpu, MapCapacity = 20000 });
        EbpfBypassStrategy strategy = filter.Strategy;
        TestFlow[] owned = [.. Enumerable.Range(0, 3).Select(i => TestFlow.Create(net, i == 2, 17, (ushort)(47000 + i), 53))];
        BypassRecord[] records = [.. owned.Select(_ => new BypassRecord())];
        for (int i = 0; i < owned.Length; i++)
        {
            Assert.True(strategy.TryBypass(owned[i].Tuple, records[i]).Succeeded);
        }

        // Orphans: entries nobody owns (as after a crash), 5000 IPv4 and one IPv6 that keeps moving.
        for (int i = 0; i < 5000; i++)
        {
            FlowKeyV4 key = FlowKeyV4.ToServer(TestFlow.Create(net, false, 6, (ushort)(10000 + i), 80).Tuple);
            Assert.Equal(0, filter.MapV4.InsertIfAbsent(ref key));
        }

        TestFlow moving = TestFlow.Create(net, true, 6, 48000, 443);
        FlowKeyV6 movingKey = FlowKeyV6.ToServer(moving.Tuple);
        Assert.Equal(0, filter.MapV6.InsertIfAbsent(ref movingKey));

        using BypassMapSweeper sweeper = filter.CreateSweeper(TimeSpan.FromSeconds(10));
        SweepResult first = sweeper.SweepOnce();
        Assert.Equal(new SweepResult(6 + 5001, 5001, 0, true), first);

        net.CreateSender().Send([moving.ToServerFrame]);
        SweepResult second = sweeper.SweepOnce();
        Assert.Equal(new SweepResult(6 + 5001, 5001, 5000, true), second);
        Assert.Equal(0, filter.MapV6.Lookup(ref movingKey, out HalfFlowCounters counters));
        Assert.Equal(1, counters.Packets);

        SweepResult third = sweeper.SweepOnce();
        Assert.Equal(new SweepResult(6 + 1, 1, 1, true), third);
        Assert.Equal(5001, sweeper.EntriesExpired);

        // Owned flows are untouched and still work.
        net.CreateSender().Send([owned[0].ToServerFrame, owned[2].ToClientFrame]);
        Assert.True(strategy.SeenSince(owned[0].Tuple, records[0], 0));
        Assert.True(strategy.SeenSince(owned[2].Tuple, records[2], 0));
        Assert.Equal(new SweepResult(6, 0, 0, true), sweeper.SweepOnce());
    }

    [Fact]
    public async Task Stops_when_asked_even_in_the_middle_of_a_large_map()
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft, MapCapacity = 60000 });
        for (int i = 0; i < 50000; i++)
        {
            FlowKeyV4 key = FlowKeyV4.ToServer(TestFlow.Create(net, false, 17, (ushort)(1 + i), 53).Tuple);
            Assert.Equal(0, filter.MapV4.InsertIfAbsent(ref key));
        }

        using BypassMapSweeper sweeper = filter.CreateSweeper(TimeSpan.FromHours(1));

        // Asked before the first batch: nothing walked, not completed.
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();
        Assert.Equal(new SweepResult(0, 0, 0, false), sweeper.SweepOnce(cancelled.Token));

        // The background thread starts walking at once; Stop interrupts it (between batches) or finds
        // it waiting. The bound is a hang guard only: the stop latency is measured by the benchmark.
        sweeper.Start();
        await Task.Run(sweeper.Stop).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sweeper.Walks <= 1);
        Assert.Equal(0, sweeper.EntriesExpired);

        // Nothing was lost by the interruption: orphans the interrupted walk saw are expired by the
        // next full walk, the rest by the one after.
        SweepResult first = sweeper.SweepOnce();
        Assert.Equal(50000, first.EntriesVisited);
        Assert.Equal(new SweepResult(50000 - first.Expired, 50000 - first.Expired, 50000 - first.Expired, true), sweeper.SweepOnce());
        Assert.Equal(50000, sweeper.EntriesExpired);
    }
}
