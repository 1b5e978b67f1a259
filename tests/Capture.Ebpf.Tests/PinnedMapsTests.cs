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
            Assert.True(first.Strategy.TryBypass(v4.Tuple, new BypassRecord()).Succeeded);
            Assert.True(first.Strategy.TryBypass(v6.Tuple, new BypassRecord()).Succeeded);
            net.CreateSender().Send([v4.ToServerFrame, v4.ToServerFrame, v4.ToServerFrame, v4.ToClientFrame, v6.ToServerFrame, v6.ToClientFrame, v6.ToClientFrame]);
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
            Assert.True(second.Strategy.SeenSince(v4.Tuple, record, 0));
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
