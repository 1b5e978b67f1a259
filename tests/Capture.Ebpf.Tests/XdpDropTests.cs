using System.Diagnostics;
using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>
/// Real traffic from a namespace through a veth: XDP drops exactly the bypassed flows' packets
/// (both directions; untagged, 802.1Q with priority bits, QinQ 802.1ad+802.1Q, IPv4 with options,
/// IPv6; TCP and UDP), and the map counters equal what was sent, in driver and generic mode, with
/// per-CPU and shared maps.
/// </summary>
public sealed class XdpDropTests(XdpDropNet net) : IClassFixture<XdpDropNet>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData(XdpMode.Driver, true)]
    [InlineData(XdpMode.Driver, false)]
    [InlineData(XdpMode.Soft, true)]
    [InlineData(XdpMode.Soft, false)]
    public void Drops_exactly_the_bypassed_flows_and_counts_them(XdpMode mode, bool perCpu)
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = mode, PerCpuMaps = perCpu });
        Assert.Equal(filter.ProgramId, XdpLinkState.Read(net.HostInterface).ProgramId);
        EbpfBypassStrategy strategy = filter.Strategy;

        TestFlow[] bypassed =
        [
            TestFlow.Create(net, false, 17, 40001, 53),
            TestFlow.Create(net, false, 6, 40002, 443, [new VlanTag(100, Priority: 5)]),
            TestFlow.Create(net, false, 17, 40003, 123, [VlanTag.ServiceTag(300, 3), new VlanTag(42)]),
            TestFlow.Create(net, false, 6, 40004, 80, ipv4Options: 12),
            TestFlow.Create(net, true, 6, 40005, 22),
            TestFlow.Create(net, true, 17, 40006, 514, [new VlanTag(4000, Priority: 7)]),
            TestFlow.Create(net, false, 17, 40007, 161, [VlanTag.ServiceTag(10), new VlanTag(20), new VlanTag(30)]),
        ];
        TestFlow[] passing =
        [
            TestFlow.Create(net, false, 17, 41001, 53),
            TestFlow.Create(net, true, 6, 41002, 443),
        ];

        // Same addresses and ports as the first bypassed flow but on VLAN 7: a different flow, never dropped.
        TestFlow otherVlan = TestFlow.Create(net, false, 17, 40001, 53, [new VlanTag(7)]);

        BypassRecord[] records = [.. bypassed.Select(_ => new BypassRecord())];
        for (int i = 0; i < bypassed.Length; i++)
        {
            BypassOutcome outcome = strategy.TryBypass(bypassed[i].Tuple, records[i]);
            Assert.True(outcome.Succeeded, outcome.Detail);
            Assert.Same(strategy, records[i].Strategy);
        }

        const int ToServer = 9;
        const int ToClient = 6;
        List<byte[]> frames = [];
        for (int round = 0; round < ToServer; round++)
        {
            foreach (TestFlow flow in bypassed.Concat(passing).Append(otherVlan))
            {
                frames.Add(flow.ToServerFrame);
                if (round < ToClient)
                {
                    frames.Add(flow.ToClientFrame);
                }
            }
        }

        using RawFrameReceiver receiver = new(net.HostInterface);
        net.CreateSender().Send(frames);
        Dictionary<(byte, ushort, ushort), int> arrived = receiver.CountByPorts(Quiet);

        // The VLAN 7 twin shares ports with bypassed[0]: what arrives on those ports is the twin only.
        Assert.Equal(ToServer, arrived.GetValueOrDefault(bypassed[0].ToServerPorts));
        Assert.Equal(ToClient, arrived.GetValueOrDefault(bypassed[0].ToClientPorts));
        foreach (TestFlow flow in bypassed.Skip(1))
        {
            Assert.Equal(0, arrived.GetValueOrDefault(flow.ToServerPorts));
            Assert.Equal(0, arrived.GetValueOrDefault(flow.ToClientPorts));
        }

        foreach (TestFlow flow in passing)
        {
            Assert.Equal(ToServer, arrived.GetValueOrDefault(flow.ToServerPorts));
            Assert.Equal(ToClient, arrived.GetValueOrDefault(flow.ToClientPorts));
        }

        long packets = 0;
        long bytes = 0;
        for (int i = 0; i < bypassed.Length; i++)
        {
            Assert.True(strategy.SeenSince(bypassed[i].Tuple, records[i], 0));
            Assert.Equal(ToServer, records[i].PacketsToServer);
            Assert.Equal(ToClient, records[i].PacketsToClient);
            Assert.Equal(ToServer * bypassed[i].ToServerFrame.Length, records[i].BytesToServer);
            Assert.Equal(ToClient * bypassed[i].ToClientFrame.Length, records[i].BytesToClient);
            packets += ToServer + ToClient;
            bytes += records[i].BytesToServer + records[i].BytesToClient;

            // Nothing new since: not seen.
            Assert.False(strategy.SeenSince(bypassed[i].Tuple, records[i], 0));
        }

        BypassStatistics stats = strategy.GetStatistics();
        Assert.Equal(new BypassFamilyStatistics(5, 0, 5), stats.IPv4);
        Assert.Equal(new BypassFamilyStatistics(2, 0, 2), stats.IPv6);
        Assert.Equal(packets, stats.Packets);
        Assert.Equal(bytes, stats.Bytes);

        // One more packet each way on one flow, then release: the final counters are folded.
        net.CreateSender().Send([bypassed[4].ToServerFrame, bypassed[4].ToClientFrame]);
        for (int i = 0; i < bypassed.Length; i++)
        {
            strategy.Release(bypassed[i].Tuple, records[i]);
            Assert.True(records[i].Released);
        }

        Assert.Equal(ToServer + 1, records[4].PacketsToServer);
        Assert.Equal(ToClient + 1, records[4].PacketsToClient);
        Assert.Equal(packets + 2, strategy.GetStatistics().Packets);
        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
        Assert.Equal(0, strategy.GetStatistics().IPv6.EntriesOffloaded);

        // Released flows are no longer dropped.
        using RawFrameReceiver after = new(net.HostInterface);
        net.CreateSender().Send([.. bypassed.Select(f => f.ToServerFrame)]);
        Dictionary<(byte, ushort, ushort), int> again = after.CountByPorts(Quiet);
        foreach (TestFlow flow in bypassed)
        {
            Assert.Equal(1, again.GetValueOrDefault(flow.ToServerPorts));
        }

        // Bypassed again after a release: the record's totals continue from where they were.
        long before = records[0].PacketsToServer;
        Assert.True(strategy.TryBypass(bypassed[1].Tuple, records[1]).Succeeded);
        net.CreateSender().Send([bypassed[1].ToServerFrame]);
        Assert.True(strategy.SeenSince(bypassed[1].Tuple, records[1], 0));
        Assert.Equal(ToServer + 1, records[1].PacketsToServer);
        Assert.Equal(before, records[0].PacketsToServer);

        filter.Stop();
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
    }

    [Theory]
    [InlineData(XdpMode.Driver, true)]
    [InlineData(XdpMode.Soft, false)]
    public void The_first_drop_is_stamped_and_the_latency_measured_once_from_the_triggering_packet(XdpMode mode, bool perCpu)
    {
        // The XDP program's stamp is CLOCK_MONOTONIC, which Stopwatch reads here in nanoseconds.
        Assert.Equal(1_000_000_000, Stopwatch.Frequency);
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = mode, PerCpuMaps = perCpu });
        EbpfBypassStrategy strategy = filter.Strategy;
        TestFlow flow = TestFlow.Create(net, false, 17, 43001, 5353);

        // The engine passes the ring's time of the triggering packet (wall clock); here it is now.
        long before = Stopwatch.GetTimestamp();
        var record = new BypassRecord { TriggerNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 };
        Assert.True(strategy.TryBypass(flow.Tuple, record).Succeeded);
        strategy.ReadBoth(flow.Tuple, out HalfFlowCounters idleToServer, out HalfFlowCounters idleToClient);
        Assert.Equal(0, idleToServer.FirstDropNanoseconds);
        Assert.Equal(0, idleToClient.FirstDropNanoseconds);
        Assert.False(strategy.SeenSince(flow.Tuple, record, 0));
        Assert.Equal(new BypassLatency("xdp", 0, 0, 0, 0), strategy.GetStatistics().Latency);

        net.CreateSender().Send([flow.ToClientFrame, flow.ToServerFrame, flow.ToServerFrame]);
        Assert.True(MapCounters.WaitFor(strategy, flow.Tuple, record, 2, 1));
        long after = Stopwatch.GetTimestamp();
        strategy.ReadBoth(flow.Tuple, out HalfFlowCounters toServer, out HalfFlowCounters toClient);
        Assert.InRange(toServer.FirstDropNanoseconds, before, after);
        Assert.InRange(toClient.FirstDropNanoseconds, before, after);
        Assert.True(toClient.FirstDropNanoseconds <= toServer.FirstDropNanoseconds, "the to-client frame was sent first");

        // One sample, from the trigger to the earlier of the two first drops.
        BypassLatency latency = strategy.GetStatistics().Latency;
        Assert.Equal(1, latency.Count);
        Assert.InRange(latency.MaxNanoseconds, 0, after - before);
        Assert.True(latency.P50Nanoseconds <= latency.MaxNanoseconds && latency.P99Nanoseconds <= latency.MaxNanoseconds, latency.ToString());

        // Later drops and the release keep the first stamp and add no sample.
        net.CreateSender().Send([flow.ToServerFrame]);
        Assert.True(MapCounters.WaitFor(strategy, flow.Tuple, record, 3, 1));
        strategy.ReadBoth(flow.Tuple, out HalfFlowCounters later, out _);
        Assert.Equal(toServer.FirstDropNanoseconds, later.FirstDropNanoseconds);
        strategy.Release(flow.Tuple, record);
        Assert.Equal(1, strategy.GetStatistics().Latency.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_warm_up_at_start_leaves_no_entry_and_counts_nothing(bool perCpu)
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Driver, PerCpuMaps = perCpu });
        foreach (FlowMap map in new[] { filter.MapV4, filter.MapV6 })
        {
            using var walker = new FlowMapWalker(map, 64);
            int entries = 0;
            while (walker.Next(out int count, out int error))
            {
                Assert.Equal(0, error);
                entries += count;
            }

            Assert.Equal(0, entries);
        }

        BypassStatistics statistics = filter.Strategy.GetStatistics();
        Assert.Equal(default, statistics with { Latency = default });
        Assert.Equal(new BypassLatency("xdp", 0, 0, 0, 0), statistics.Latency);
    }

    [Fact]
    public void Per_cpu_and_shared_maps_give_the_same_totals()
    {
        TestFlow flow = TestFlow.Create(net, false, 6, 42001, 8080, [new VlanTag(11)]);
        List<byte[]> frames = [];
        for (int i = 0; i < 50; i++)
        {
            frames.Add(flow.ToServerFrame);
            if (i % 2 == 0)
            {
                frames.Add(flow.ToClientFrame);
            }
        }

        long[] Totals(bool perCpu)
        {
            using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = XdpMode.Soft, PerCpuMaps = perCpu });
            BypassRecord record = new();
            Assert.True(filter.Strategy.TryBypass(flow.Tuple, record).Succeeded);
            net.CreateSender().Send(frames);
            filter.Strategy.Release(flow.Tuple, record);
            return [record.PacketsToServer, record.BytesToServer, record.PacketsToClient, record.BytesToClient];
        }

        long[] perCpuTotals = Totals(true);
        long[] sharedTotals = Totals(false);
        Assert.Equal([50, 50 * flow.ToServerFrame.Length, 25, 25 * flow.ToClientFrame.Length], perCpuTotals);
        Assert.Equal(perCpuTotals, sharedTotals);
    }
}
