using System.Globalization;
using Capture.Abstractions;
using Capture.Linux.Sources;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

public sealed class AfPacketInterfaceTroubleTests(AfPacketTroubleNet net) : IClassFixture<AfPacketTroubleNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Interface_down_up_and_deleted_then_recreated_is_counted_and_capture_resumes()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4201"), ("block-size", "32768"), ("ring-size", "256")));
        try
        {
            var collector = new FrameCollector(sources);
            await AfPacketTestConfiguration.StartAllAsync(sources);
            int firstIndex = ((AfPacketSource)sources[0]).InterfaceIndex;
            // Another test of this class may have recreated the interface already: compare with what is bound now.
            Assert.Equal((int)KernelNative.IfNameToIndex(net.HostInterface), firstIndex);

            await SendAndWaitAsync(collector, 7100);

            // Down and up again: same device, the kernel re-hooks the sockets.
            IpCommand.Run("link", "set", net.HostInterface, "down");
            await WaitUntilAsync(() => sources.Sum(s => s.GetStatistics().Errors) >= 1, "an error counted for the interface going down");
            IpCommand.Run("link", "set", net.HostInterface, "up");
            // The veth's carrier comes back a moment after "up": frames sent before it are the link's
            // loss, not the capture's, so the count is taken once a probe gets through.
            await ProbeUntilFlowingAsync(collector, 7199);
            await SendAndWaitAsync(collector, 7101);

            // Deleted and recreated under the same name: a new ifindex; every socket rebinds by name.
            long errorsBefore = sources.Sum(s => s.GetStatistics().Errors);
            IpCommand.Run("link", "del", net.HostInterface);
            await WaitUntilAsync(() => sources.Sum(s => s.GetStatistics().Errors) > errorsBefore, "an error counted for the interface disappearing");
            await Task.Delay(1200);
            Recreate();
            await WaitUntilAsync(() => sources.All(s => ((AfPacketSource)s).InterfaceIndex is int index && index != 0 && index != firstIndex), "every socket bound to the recreated interface");
            await SendAndWaitAsync(collector, 7102);

            Assert.All(sources, source => Assert.True(source.GetStatistics().Errors >= 2, $"{source.Name} counted {source.GetStatistics().Errors} errors"));
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public async Task A_batch_held_across_the_interface_disappearing_stays_intact_and_releases_cleanly()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("block-size", "32768"), ("ring-size", "256")));
        try
        {
            var source = (AfPacketSource)sources[0];
            await source.StartAsync(CancellationToken.None);
            int firstIndex = source.InterfaceIndex;
            net.CreateSender().Send([.. Enumerable.Range(0, 10).Select(i => KernelFrames.Udp(net, 7200, 9000, 20 + i))]);
            using var read = new CancellationTokenSource(Patience);
            CaptureBatch held = await source.Batches.ReadAsync(read.Token);
            byte[][] before = [.. held.Packets.ToArray().Select(record => held.GetPacketData(record).ToArray())];
            Assert.NotEmpty(before);

            // The ring the batch lives in is retired (socket closed) while the engine still holds the batch.
            IpCommand.Run("link", "del", net.HostInterface);
            await WaitUntilAsync(() => source.InterfaceIndex == 0, "the source to give up the vanished interface");
            Recreate();
            await WaitUntilAsync(() => source.InterfaceIndex is int index && index != 0 && index != firstIndex, "the source to bind the recreated interface");

            byte[][] after = [.. held.Packets.ToArray().Select(record => held.GetPacketData(record).ToArray())];
            Assert.Equal(before.Length, after.Length);
            Assert.All(Enumerable.Range(0, before.Length), i => Assert.True(before[i].AsSpan().SequenceEqual(after[i]), $"packet {i} of the held batch changed"));
            held.Release();

            var collector = new FrameCollector(sources);
            await SendAndWaitAsync(collector, 7201);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public async Task An_interface_deleted_while_down_is_noticed_and_capture_resumes_on_the_new_one()
    {
        // Once down, a packet socket is no longer running, and the kernel reports nothing to it when
        // the device is then unregistered: each source must notice by itself that the device is gone.
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4202"), ("block-size", "32768"), ("ring-size", "256")));
        try
        {
            var collector = new FrameCollector(sources);
            await AfPacketTestConfiguration.StartAllAsync(sources);
            int firstIndex = ((AfPacketSource)sources[0]).InterfaceIndex;
            await SendAndWaitAsync(collector, 7300);

            IpCommand.Run("link", "set", net.HostInterface, "down");
            await WaitUntilAsync(() => sources.All(s => s.GetStatistics().Errors >= 1), "every source to count the interface going down");
            IpCommand.Run("link", "del", net.HostInterface);
            await WaitUntilAsync(() => sources.All(s => ((AfPacketSource)s).InterfaceIndex == 0), "every source to give up the deleted interface");
            Recreate();
            await WaitUntilAsync(() => sources.All(s => ((AfPacketSource)s).InterfaceIndex is int index && index != 0 && index != firstIndex), "every socket bound to the recreated interface");
            await SendAndWaitAsync(collector, 7301);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    private async Task SendAndWaitAsync(FrameCollector collector, ushort port)
    {
        var frames = Enumerable.Range(0, 60).Select(i => KernelFrames.Udp(net, port, 9000, 20 + i)).ToList();
        net.CreateSender().Send(frames);
        await collector.WaitForAsync(received => received.Count(f => KernelFrames.SourcePort(f.Data) == port) >= frames.Count, $"60 frames from port {port}", Patience);
        await Task.Delay(50);
        Assert.Equal(frames.Count, collector.Frames.Count(f => KernelFrames.SourcePort(f.Data) == port));
    }

    private async Task ProbeUntilFlowingAsync(FrameCollector collector, ushort port)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!collector.Frames.Any(f => KernelFrames.SourcePort(f.Data) == port))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no probe frame from port {port} arrived within {Patience.TotalSeconds} s of the interface coming back up");
            }

            net.CreateSender().Send([KernelFrames.Udp(net, port, 9000, 20)]);
            await Task.Delay(100);
        }
    }

    private void Recreate()
    {
        string Mac(byte[] mac) => string.Join(':', mac.Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));
        IpCommand.Run("link", "add", net.HostInterface, "address", Mac(net.HostMac), "type", "veth",
            "peer", "name", net.PeerInterface, "address", Mac(net.PeerMac), "netns", net.NamespaceName);
        IpCommand.Run("link", "set", net.HostInterface, "up");
        IpCommand.Run("-n", net.NamespaceName, "link", "set", net.PeerInterface, "up");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Patience.TotalSeconds:0} s for {what}");
            }

            await Task.Delay(20);
        }
    }
}
