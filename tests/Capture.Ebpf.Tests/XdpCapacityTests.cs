using Capture.Abstractions;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>A full map: failures are counted as TableFull, the strategy keeps working.</summary>
public sealed class XdpCapacityTests(XdpCapacityNet net) : IClassFixture<XdpCapacityNet>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_map_of_16_entries_with_100_flows_counts_failures_and_keeps_working(bool perCpu)
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Driver, PerCpuMaps = perCpu, MapCapacity = 16 });
        EbpfBypassStrategy strategy = filter.Strategy;
        TestFlow[] flows = [.. Enumerable.Range(0, 100).Select(i => TestFlow.Create(net, false, 17, (ushort)(43000 + i), 53))];
        BypassRecord[] records = [.. flows.Select(_ => new BypassRecord())];
        List<int> accepted = [];
        for (int i = 0; i < flows.Length; i++)
        {
            BypassOutcome outcome = strategy.TryBypass(flows[i].Tuple, records[i]);
            if (outcome.Succeeded)
            {
                accepted.Add(i);
            }
            else
            {
                Assert.Equal(BypassFailure.TableFull, outcome.Failure);
                Assert.Contains("flow_v4 is full", outcome.Detail, StringComparison.Ordinal);
                Assert.Null(records[i].StrategyState);
            }
        }

        // Two entries per flow: 8 flows fit; a failed second half was rolled back.
        Assert.Equal(8, accepted.Count);
        Assert.Equal(new BypassFamilyStatistics(8, 92, 8), strategy.GetStatistics().IPv4);

        // The accepted flows are dropped, the others pass.
        using (RawFrameReceiver receiver = new(net.HostInterface))
        {
            net.CreateSender().Send([.. flows.Select(f => f.ToServerFrame)]);
            Dictionary<(byte, ushort, ushort), int> arrived = receiver.CountByPorts(TimeSpan.FromMilliseconds(300));
            for (int i = 0; i < flows.Length; i++)
            {
                Assert.Equal(accepted.Contains(i) ? 0 : 1, arrived.GetValueOrDefault(flows[i].ToServerPorts));
            }
        }

        // Releasing makes room again.
        strategy.Release(flows[accepted[0]].Tuple, records[accepted[0]]);
        Assert.Equal(1, records[accepted[0]].PacketsToServer);
        BypassRecord late = new();
        Assert.True(strategy.TryBypass(flows[99].Tuple, late).Succeeded);
        Assert.Equal(new BypassFamilyStatistics(9, 92, 8), strategy.GetStatistics().IPv4);
    }

    [Fact]
    public void Tunnelled_and_non_tcp_udp_flows_are_unsupported()
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft });
        TestFlow flow = TestFlow.Create(net, false, 17, 1000, 53);
        BypassRecord record = new();
        Assert.Equal(BypassFailure.Unsupported, filter.Strategy.TryBypass(flow.Tuple with { TunnelDepth = 1 }, record).Failure);
        Assert.Equal(BypassFailure.Unsupported, filter.Strategy.TryBypass(flow.Tuple with { Protocol = 1 }, record).Failure);
        Assert.Null(record.StrategyState);

        // An entry already present (inserted by another owner) is a success whose counters start at zero.
        BypassRecord first = new();
        Assert.True(filter.Strategy.TryBypass(flow.Tuple, first).Succeeded);
        net.CreateSender().Send([flow.ToServerFrame, flow.ToServerFrame]);

        // sendto() returns before the peer's receive path has run XDP: wait until the map counted them.
        Assert.True(MapCounters.WaitFor(filter.Strategy, flow.Tuple, first, 2));
        BypassRecord second = new();
        Assert.True(filter.Strategy.TryBypass(flow.Tuple, second).Succeeded);
        net.CreateSender().Send([flow.ToServerFrame]);
        Assert.True(MapCounters.WaitFor(filter.Strategy, flow.Tuple, second, 1));
        Assert.Equal(1, second.PacketsToServer);
        Assert.True(filter.Strategy.SeenSince(flow.Tuple, first, 0));
        Assert.Equal(3, first.PacketsToServer);
    }
}
