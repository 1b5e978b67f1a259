using System.Threading.Channels;
using Capture.Abstractions;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

public sealed class ControlInterfaceTests
{
    [Fact]
    public void FromSources_groups_fanout_sockets_by_interface_and_sums_their_counters()
    {
        var bypass = new BypassStatistics(new BypassFamilyStatistics(4, 1, 2), new BypassFamilyStatistics(1, 0, 1), 100, 6400);
        ICaptureSource[] sources =
        [
            new CountingSource("eth0#1", "eth0", new CaptureStatistics(10, 640, 1, 0, 0, bypass), withBypass: true),
            new CountingSource("eth0#2", "eth0", new CaptureStatistics(20, 1280, 2, 1, 0, default), withBypass: true),
            new CountingSource("eth1", "eth1", new CaptureStatistics(5, 320, 0, 0, 0, default), withBypass: false),
        ];

        IReadOnlyList<ControlInterface> interfaces = ControlInterface.FromSources(sources);
        Assert.Equal(["eth0", "eth1"], interfaces.Select(i => i.Name));
        CaptureStatistics eth0 = interfaces[0].Statistics();
        Assert.Equal(30, eth0.PacketsReceived);
        Assert.Equal(1920, eth0.BytesReceived);
        Assert.Equal(3, eth0.KernelDrops);
        Assert.Equal(1, eth0.Errors);
        Assert.Equal(bypass, eth0.Bypass);
        Assert.True(interfaces[0].BypassEnabled);
        Assert.False(interfaces[1].BypassEnabled);
    }

    /// <summary>A source that only reports fixed counters: the grouping is what is under test.</summary>
    private sealed class CountingSource(string name, string interfaceName, CaptureStatistics statistics, bool withBypass) : ICaptureSource
    {
        public string Name => name;

        public string InterfaceName => interfaceName;

        public CaptureCapabilities Capabilities => CaptureCapabilities.Live;

        public IBypassStrategy? BypassStrategy => withBypass ? new NoStrategy() : null;

        public ChannelReader<CaptureBatch> Batches => Channel.CreateUnbounded<CaptureBatch>().Reader;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public CaptureStatistics GetStatistics() => statistics;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NoStrategy : IBypassStrategy
    {
        public string Name => "none";

        public BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record) => BypassOutcome.Failed(BypassFailure.Unsupported);

        public bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds) => false;

        public void Release(in FlowTuple flow, BypassRecord record)
        {
        }

        public BypassStatistics GetStatistics() => default;
    }
}
