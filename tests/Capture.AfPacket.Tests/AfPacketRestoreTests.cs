using Capture.Abstractions;
using Capture.Linux.Bypass;
using Capture.Linux.Sources;
using Capture.Linux.Xdp;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Flows = Capture.Conformance.FrameBuilder;

namespace Capture.AfPacket.Tests;

/// <summary>
/// af-packet with <c>bypass: yes</c> and <c>pinned-maps: yes</c> across a restart: the flows left in
/// the pinned maps come back through the interface's first source with their counters, and once
/// adopted they are owned (not swept) and released like any bypassed flow.
/// </summary>
public sealed class AfPacketRestoreTests(AfPacketRestoreNet net) : IClassFixture<AfPacketRestoreNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Pinned_bypassed_flows_come_back_after_a_restart_and_are_owned_and_released_alone()
    {
        net.RemovePins();
        try
        {
            await RunAsync();
        }
        finally
        {
            net.RemovePins();
        }

        Assert.False(Directory.Exists(Path.Combine(net.PinRoot, net.HostInterface)), "pins were left after RemovePins");
    }

    private async Task RunAsync()
    {
        FlowTuple restored = Flows.Flow("10.81.0.1", 41000, "10.81.0.2", 80, 6);
        FlowTuple orphan = Flows.Flow("10.81.0.1", 41001, "10.81.0.2", 8080, 17);
        FlowTuple fresh = Flows.Flow("10.81.0.1", 41002, "10.81.0.2", 443, 6);
        byte[] toServer = Flows.Build(restored, true, 40, 1);
        byte[] toClient = Flows.Build(restored, false, 60, 2);
        string pinDirectory = Path.Combine(net.PinRoot, net.HostInterface, "v" + XdpBypassFilter.LayoutVersion);

        // First run: bypass two flows and count traffic; the process "dies" without releasing them.
        XdpInterfaceBypass? firstBypass = null;
        IReadOnlyList<ICaptureSource> first = CreateSources(b => firstBypass = b);
        try
        {
            await AfPacketTestConfiguration.StartAllAsync(first);
            Assert.Empty(Restoring(first[0]).TakeRestoredFlows());
            IBypassStrategy strategy = first[0].BypassStrategy!;
            BypassRecord record = new();
            Assert.True(strategy.TryBypass(restored, record).Succeeded);
            Assert.True(strategy.TryBypass(orphan, new BypassRecord()).Succeeded);
            net.CreateSender().Send([toServer, toServer, toServer, toClient, Flows.Build(orphan, true, 20, 3)]);
            await WaitForAsync(() => strategy.SeenSince(restored, record, 0) && record.PacketsToServer == 3 && record.PacketsToClient == 1, "the first run's XDP counters");
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(first);
        }

        Assert.NotNull(firstBypass);
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the XDP program stayed after the first run");
        Assert.True(File.Exists(Path.Combine(pinDirectory, XdpBypassFilter.MapV4Name)), "pinned-maps: yes left no pin after stop");

        // Second run, a new plugin factory on the same interface.
        XdpInterfaceBypass? bypass = null;
        IReadOnlyList<ICaptureSource> second = CreateSources(b => bypass = b);
        try
        {
            Assert.Equal(2, second.Count);
            Assert.NotNull(bypass);

            // Fanout: only the interface's first source hands the flows over, and only once.
            Assert.Empty(Restoring(second[1]).TakeRestoredFlows());
            IReadOnlyList<RestoredBypassedFlow> flows = Restoring(second[0]).TakeRestoredFlows();
            Assert.Empty(Restoring(second[0]).TakeRestoredFlows());
            Assert.Equal(2, flows.Count);
            RestoredBypassedFlow back = Assert.Single(flows, f => f.Flow == restored);
            Assert.Equal((3L, 3L * toServer.Length, 1L, (long)toClient.Length), (back.PacketsToServer, back.BytesToServer, back.PacketsToClient, back.BytesToClient));
            RestoredBypassedFlow orphanBack = Assert.Single(flows, f => f.Flow == orphan);
            Assert.Equal((1L, 0L), (orphanBack.PacketsToServer, orphanBack.PacketsToClient));

            await AfPacketTestConfiguration.StartAllAsync(second);
            IBypassStrategy strategy = second[0].BypassStrategy!;

            // What the engine does: a record seeded with the counters, adopted by the strategy.
            BypassRecord adopted = new();
            adopted.FoldTotals(back.PacketsToServer, back.BytesToServer, back.PacketsToClient, back.BytesToClient);
            Restoring(second[0]).Adopt(back, adopted);
            Assert.Same(strategy, adopted.Strategy);
            Assert.False(strategy.SeenSince(restored, adopted, 0), "an adopted flow without new packets looked alive");

            BypassRecord freshRecord = new();
            Assert.True(strategy.TryBypass(fresh, freshRecord).Succeeded);

            net.CreateSender().Send([toServer, toClient, toClient]);
            bool alive = false;
            await WaitForAsync(
                () =>
                {
                    alive |= strategy.SeenSince(restored, adopted, 0);
                    return adopted.PacketsToServer == 4 && adopted.PacketsToClient == 3;
                },
                "the adopted flow's counters to move");
            Assert.True(alive, "SeenSince never reported the adopted flow alive though its counters moved");
            Assert.Equal((4L, 3L), (adopted.PacketsToServer, adopted.PacketsToClient));
            Assert.Equal(4L * toServer.Length, adopted.BytesToServer);

            // Owned entries are not swept; the orphan, whose counters do not move, is.
            using (BypassMapSweeper sweeper = bypass!.Filter.CreateSweeper(TimeSpan.FromHours(1)))
            {
                sweeper.SweepOnce();
                SweepResult again = sweeper.SweepOnce();
                Assert.Equal(2, again.Expired);
            }

            Assert.False(Present(bypass, orphan), "the unowned orphan survived two sweeps");
            Assert.True(Present(bypass, restored), "the sweeper removed the adopted flow's entries");
            Assert.True(Present(bypass, fresh), "the sweeper removed a live bypassed flow's entries");

            // Release deletes the adopted flow's two entries, folds the final counters, and removes nothing else.
            strategy.Release(restored, adopted);
            Assert.True(adopted.Released);
            Assert.Equal((4L, 3L), (adopted.PacketsToServer, adopted.PacketsToClient));
            Assert.False(Present(bypass, restored), "Release left the adopted flow's entries");
            Assert.True(Present(bypass, fresh), "Release of the adopted flow removed another flow's entries");
            Assert.Equal(1, strategy.GetStatistics().IPv4.EntriesOffloaded);
            strategy.Release(fresh, freshRecord);
            Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(second);
        }

        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the XDP program stayed after the second run");
    }

    private IReadOnlyList<ICaptureSource> CreateSources(Action<XdpInterfaceBypass> created)
    {
        ConfigNode root = AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4321"), ("bypass", "yes"), ("pinned-maps", "yes"), ("bypass-map-size", "1024"));
        AfPacketCapturePlugin plugin = new();
        AfPacketSourceFactory factory = new(plugin.Descriptor, AfPacketCapturePlugin.CaptureName, (options, loggerFactory) =>
        {
            var bypass = (XdpInterfaceBypass)XdpInterfaceBypass.Create(options, loggerFactory, net.PinRoot);
            created(bypass);
            return bypass;
        }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        return factory.CreateSources(new CaptureSourceRequest
        {
            Configuration = root,
            Services = new ServiceCollection().BuildServiceProvider(),
        });
    }

    private static IRestoredBypassSource Restoring(ICaptureSource source) =>
        source as IRestoredBypassSource ?? throw new InvalidOperationException($"{source.Name} does not hand over restored flows");

    private static bool Present(XdpInterfaceBypass bypass, in FlowTuple flow)
    {
        FlowKeyV4 toServer = FlowKeyV4.ToServer(flow);
        FlowKeyV4 toClient = toServer.Reverse();
        bool a = bypass.Filter.MapV4.Lookup(ref toServer, out _) == 0;
        bool b = bypass.Filter.MapV4.Lookup(ref toClient, out _) == 0;
        Assert.True(a == b, "one half of a flow's entries is missing");
        return a;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
