using Capture.Abstractions;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>Pinned maps: a restart restores the bypassed flows and their counters; other layouts are replaced.</summary>
public sealed class PinnedMapsTests(PinnedMapsNet net) : IClassFixture<PinnedMapsNet>
{
    [Fact]
    public void A_restart_restores_the_bypassed_flows_and_their_counters()
    {
        XdpBypassFilter.RemovePins(net.HostInterface, net.PinRoot);
        XdpBypassOptions options = new() { Interface = net.HostInterface, Mode = XdpMode.Driver, PinnedMaps = true, PinRoot = net.PinRoot, MapCapacity = 1024 };
        TestFlow v4 = TestFlow.Create(net, false, 6, 45001, 443, [new VlanTag(12)]);
        TestFlow v6 = TestFlow.Create(net, true, 17, 45002, 53);
        string directory = Path.Combine(net.PinRoot, net.HostInterface, "v" + XdpBypassFilter.LayoutVersion);

        using (XdpBypassFilter first = XdpBypassFilter.Start(options))
        {
            Assert.Equal(directory, first.PinDirectory);
            Assert.Empty(first.RestoredFlows);
            BypassRecord r4First = new();
            BypassRecord r6First = new();
            Assert.True(first.Strategy.TryBypass(v4.Tuple, r4First).Succeeded);
            Assert.True(first.Strategy.TryBypass(v6.Tuple, r6First).Succeeded);
            net.CreateSender().Send([v4.ToServerFrame, v4.ToServerFrame, v4.ToServerFrame, v4.ToClientFrame, v6.ToServerFrame, v6.ToClientFrame, v6.ToClientFrame]);
            Assert.True(MapCounters.WaitFor(first.Strategy, v4.Tuple, r4First, 3, 1));
            Assert.True(MapCounters.WaitFor(first.Strategy, v6.Tuple, r6First, 1, 2));
        }

        // Stopped: no program on the interface, the pins stay.
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
        Assert.True(File.Exists(Path.Combine(directory, "flow_v4")));
        Assert.True(File.Exists(Path.Combine(directory, "flow_v6")));

        using (XdpBypassFilter second = XdpBypassFilter.Start(options))
        {
            Assert.Equal(2, second.RestoredFlows.Count);
            RestoredBypassedFlow r4 = second.RestoredFlows.Single(f => !f.Flow.IsIPv6);
            RestoredBypassedFlow r6 = second.RestoredFlows.Single(f => f.Flow.IsIPv6);
            Assert.Equal(v4.Tuple, r4.Flow);
            Assert.Equal(v6.Tuple, r6.Flow);
            Assert.Equal((3L, 3L * v4.ToServerFrame.Length, 1L, (long)v4.ToClientFrame.Length), (r4.PacketsToServer, r4.BytesToServer, r4.PacketsToClient, r4.BytesToClient));
            Assert.Equal((1L, 2L), (r6.PacketsToServer, r6.PacketsToClient));

            // The engine recreates the flows and the strategy takes them over: counters continue.
            BypassRecord record = new();
            second.Strategy.Adopt(r4, record);
            Assert.Equal(3, record.PacketsToServer);
            Assert.Equal(1, second.Strategy.GetStatistics().IPv4.EntriesOffloaded);
            net.CreateSender().Send([v4.ToServerFrame, v4.ToClientFrame]);
            Assert.True(MapCounters.WaitFor(second.Strategy, v4.Tuple, record, 4, 2));
            Assert.Equal((4L, 2L), (record.PacketsToServer, record.PacketsToClient));
            second.Strategy.Release(v4.Tuple, record);
            Assert.Equal(0, second.Strategy.GetStatistics().IPv4.EntriesOffloaded);
        }

        // Without pinning, nothing of this interface stays in bpffs.
        XdpBypassOptions unpinned = options.Clone();
        unpinned.PinnedMaps = false;
        using (XdpBypassFilter third = XdpBypassFilter.Start(unpinned))
        {
            Assert.Empty(third.RestoredFlows);
        }

        Assert.False(Directory.Exists(Path.Combine(net.PinRoot, net.HostInterface)));
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
    }

    [Fact]
    public void Releases_after_a_stop_with_pinned_maps_keep_the_entries_for_the_next_start()
    {
        XdpBypassFilter.RemovePins(net.HostInterface, net.PinRoot);
        XdpBypassOptions options = new() { Interface = net.HostInterface, Mode = XdpMode.Soft, PinnedMaps = true, PinRoot = net.PinRoot, MapCapacity = 256 };
        TestFlow flow = TestFlow.Create(net, false, 6, 45101, 8443);
        BypassRecord record = new();
        try
        {
            using (XdpBypassFilter first = XdpBypassFilter.Start(options))
            {
                Assert.True(first.Strategy.TryBypass(flow.Tuple, record).Succeeded);
                net.CreateSender().Send([flow.ToServerFrame, flow.ToServerFrame, flow.ToClientFrame]);
                Assert.True(MapCounters.WaitFor(first.Strategy, flow.Tuple, record, 2, 1));

                // A clean shutdown: the capture stops first, then the engine ends its flows.
                first.Stop();
                first.Strategy.Release(flow.Tuple, record);
                Assert.True(record.Released);
                Assert.Equal((2L, 1L), (record.PacketsToServer, record.PacketsToClient));
                Assert.Equal(0, first.Strategy.GetStatistics().IPv4.EntriesOffloaded);
            }

            using (XdpBypassFilter second = XdpBypassFilter.Start(options))
            {
                RestoredBypassedFlow restored = Assert.Single(second.RestoredFlows);
                Assert.Equal(flow.Tuple, restored.Flow);
                Assert.Equal((2L, 1L), (restored.PacketsToServer, restored.PacketsToClient));

                // While running, a release deletes the entries as usual.
                BypassRecord adopted = new();
                second.Strategy.Adopt(restored, adopted);
                second.Strategy.Release(flow.Tuple, adopted);
            }

            using XdpBypassFilter third = XdpBypassFilter.Start(options);
            Assert.Empty(third.RestoredFlows);
        }
        finally
        {
            XdpBypassFilter.RemovePins(net.HostInterface, net.PinRoot);
        }
    }

    [Fact]
    public void Pins_of_another_layout_are_reported_and_replaced()
    {
        XdpBypassFilter.RemovePins(net.HostInterface, net.PinRoot);
        string older = Path.Combine(net.PinRoot, net.HostInterface, "v0");
        Directory.CreateDirectory(older);
        XdpBypassOptions small = new() { Interface = net.HostInterface, Mode = XdpMode.Soft, PinnedMaps = true, PinRoot = net.PinRoot, MapCapacity = 64 };
        TestFlow flow = TestFlow.Create(net, false, 17, 46001, 53);
        using (XdpBypassFilter first = XdpBypassFilter.Start(small))
        {
            Assert.False(Directory.Exists(older));
            Assert.Equal([older], first.ReplacedPins);
            Assert.True(first.Strategy.TryBypass(flow.Tuple, new BypassRecord()).Succeeded);
        }

        // Another capacity (or type) is another layout: not reused, replaced.
        XdpBypassOptions larger = small.Clone();
        larger.MapCapacity = 128;
        larger.PerCpuMaps = false;
        using XdpBypassFilter second = XdpBypassFilter.Start(larger);
        Assert.Empty(second.RestoredFlows);
        string current = Path.Combine(net.PinRoot, net.HostInterface, "v" + XdpBypassFilter.LayoutVersion);
        Assert.Equal([Path.Combine(current, "flow_v4"), Path.Combine(current, "flow_v6")], second.ReplacedPins);
        Assert.True(second.Strategy.TryBypass(flow.Tuple, new BypassRecord()).Succeeded);
    }
}
