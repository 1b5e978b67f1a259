using Capture.Abstractions;
using Capture.Conformance;
using Capture.Linux.Sources;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>
/// What every kind of ring (V3 blocks, V2 frames) must do when it overflows: count what it could not
/// take as kernel drops, exactly, and with <c>use-emergency-flush</c> hand back, unread and counted,
/// what the kernel wrote while it was losing packets.
/// </summary>
internal static class RingOverflow
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Sends 400 frames to a tiny ring nobody reads at first; received + kernel drops = sent.</summary>
    /// <param name="net">The veth pair.</param>
    /// <param name="ring">The keys that make the ring tiny.</param>
    public static async Task DropsAreCountedExactlyAsync(VethNamespace net, params (string Key, string Value)[] ring)
    {
        var sent = Enumerable.Range(0, 400).Select(i => KernelFrames.Udp(net, 5300, 7300, 20 + (i % 50))).ToList();
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, [("threads", "1"), .. ring, ("bpf-filter", "udp and dst port 7300")]));
        try
        {
            // Nobody reads: the ring fills up and the kernel drops the rest.
            await AfPacketTestConfiguration.StartAllAsync(sources);
            net.CreateSender().Send(sent);
            await Task.Delay(200);
            var collector = new FrameCollector(sources);
            await Task.Delay(300);
            await sources[0].StopAsync(CancellationToken.None);
            await collector.Completion.WaitAsync(Patience);

            CaptureStatistics statistics = sources[0].GetStatistics();
            Assert.True(statistics.KernelDrops > 0, "a full ring dropped nothing");
            Assert.Equal(collector.Frames.Count, statistics.PacketsReceived);
            Assert.Equal(sent.Count, statistics.PacketsReceived + statistics.KernelDrops);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    /// <summary>Overflows a tiny ring with emergency flush on, then sends more while the kernel reports loss.</summary>
    /// <param name="net">The veth pair.</param>
    /// <param name="ring">The keys that make the ring tiny.</param>
    public static async Task EmergencyFlushIsCountedAsync(VethNamespace net, params (string Key, string Value)[] ring)
    {
        var overflow = Enumerable.Range(0, 400).Select(i => KernelFrames.Udp(net, 5400, 7400, 20 + (i % 50))).ToList();
        var afterwards = Enumerable.Range(0, 20).Select(i => KernelFrames.Udp(net, 5401, 7400, 20 + i)).ToList();
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, [("threads", "1"), .. ring, ("use-emergency-flush", "yes"), ("bpf-filter", "udp and dst port 7400")]));
        try
        {
            await AfPacketTestConfiguration.StartAllAsync(sources);
            net.CreateSender().Send(overflow);
            await Task.Delay(100);
            var collector = new FrameCollector(sources);
            await Task.Delay(100);

            // The kernel has dropped since its counters were last read: what it writes next is flagged losing.
            net.CreateSender().Send(afterwards);
            await Task.Delay(200);
            await sources[0].StopAsync(CancellationToken.None);
            await collector.Completion.WaitAsync(Patience);

            var source = (AfPacketSource)sources[0];
            CaptureStatistics statistics = source.GetStatistics();
            Assert.True(source.FlushedPackets > 0, "nothing was flushed although the kernel was losing packets");
            Assert.Equal(collector.Frames.Count, statistics.PacketsReceived);
            Assert.Equal(overflow.Count + afterwards.Count, statistics.PacketsReceived + statistics.KernelDrops);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }
}
