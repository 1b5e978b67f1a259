using Capture.Abstractions;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Workers bypass while a manager polls and releases: every counter and gauge stays exact.</summary>
public sealed class StrategyConcurrencyTests(ConcurrencyNet net) : IClassFixture<ConcurrencyNet>
{
    [Fact]
    public void Concurrent_bypass_poll_and_release_keep_the_statistics_exact()
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft, MapCapacity = 8192 });
        EbpfBypassStrategy strategy = filter.Strategy;
        const int Workers = 4;
        const int PerWorker = 500;
        TestFlow[][] flows = [.. Enumerable.Range(0, Workers).Select(w => Enumerable.Range(0, PerWorker).Select(i => TestFlow.Create(net, (i & 1) == 1, 17, (ushort)(20000 + (w * PerWorker) + i), 53)).ToArray())];
        BypassRecord[][] records = [.. flows.Select(f => f.Select(_ => new BypassRecord()).ToArray())];

        Parallel.For(0, Workers, w =>
        {
            for (int i = 0; i < PerWorker; i++)
            {
                Assert.True(strategy.TryBypass(flows[w][i].Tuple, records[w][i]).Succeeded);
                if (i > 0)
                {
                    // The "manager" side on another record of the same worker while inserts go on.
                    strategy.SeenSince(flows[w][i - 1].Tuple, records[w][i - 1], 0);
                }
            }

            // Half of each family: flows 0,1 of every 4.
            for (int i = 0; i < PerWorker; i += 4)
            {
                for (int j = i; j < i + 2; j++)
                {
                    strategy.Release(flows[w][j].Tuple, records[w][j]);
                    strategy.Release(flows[w][j].Tuple, records[w][j]); // idempotent
                }
            }
        });

        BypassStatistics stats = strategy.GetStatistics();
        Assert.Equal(Workers * PerWorker / 2, stats.IPv4.Success);
        Assert.Equal(Workers * PerWorker / 2, stats.IPv6.Success);
        Assert.Equal(Workers * PerWorker / 4, stats.IPv4.EntriesOffloaded);
        Assert.Equal(Workers * PerWorker / 4, stats.IPv6.EntriesOffloaded);
        Assert.Equal(0, stats.IPv4.Failure + stats.IPv6.Failure);

        // The maps hold exactly the flows still bypassed: the sweeper finds no orphan.
        using BypassMapSweeper sweeper = filter.CreateSweeper(TimeSpan.FromHours(1));
        Assert.Equal(new SweepResult(Workers * PerWorker, 0, 0, true), sweeper.SweepOnce());
    }
}
