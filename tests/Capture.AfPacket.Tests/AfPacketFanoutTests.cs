using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

public sealed class AfPacketFanoutTests(AfPacketFanoutNet net) : IClassFixture<AfPacketFanoutNet>
{
    private const int Flows = 40;
    private const int PacketsPerFlow = 25;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_threads_in_cluster_flow_spread_flows_and_lose_or_duplicate_nothing()
    {
        List<byte[]> sent = Traffic(11000);
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4101"), ("cluster-type", "cluster_flow"), ("block-size", "32768"), ("ring-size", "512")));
        try
        {
            Assert.Equal([$"{net.HostInterface}#1", $"{net.HostInterface}#2"], sources.Select(s => s.Name));
            Assert.All(sources, source => Assert.Equal(net.HostInterface, source.InterfaceName));
            List<ReceivedFrame> received = await CaptureAsync(sources, sent, 11000);

            // Every flow lives on exactly one socket; both sockets got flows.
            var socketsPerFlow = received.GroupBy(f => KernelFrames.SourcePort(f.Data)).ToDictionary(g => g.Key, g => g.Select(f => f.SourceIndex).Distinct().Count());
            Assert.Equal(Flows, socketsPerFlow.Count);
            Assert.All(socketsPerFlow, pair => Assert.Equal(1, pair.Value));
            Assert.Equal(2, received.Select(f => f.SourceIndex).Distinct().Count());
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public async Task Two_threads_in_cluster_round_robin_share_packets_and_lose_or_duplicate_nothing()
    {
        List<byte[]> sent = Traffic(12000);
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4102"), ("cluster-type", "cluster_round_robin"), ("block-size", "32768"), ("ring-size", "512")));
        try
        {
            List<ReceivedFrame> received = await CaptureAsync(sources, sent, 12000);
            Assert.All(Enumerable.Range(0, 2), index => Assert.True(received.Count(f => f.SourceIndex == index) > sent.Count / 4, $"socket {index} got almost nothing"));
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    private List<byte[]> Traffic(ushort firstPort)
    {
        var frames = new List<byte[]>();
        for (int packet = 0; packet < PacketsPerFlow; packet++)
        {
            for (int flow = 0; flow < Flows; flow++)
            {
                frames.Add(KernelFrames.Udp(net, (ushort)(firstPort + flow), 9000, 20 + packet));
            }
        }

        return frames;
    }

    private async Task<List<ReceivedFrame>> CaptureAsync(IReadOnlyList<ICaptureSource> sources, List<byte[]> sent, ushort firstPort)
    {
        var collector = new FrameCollector(sources);
        await AfPacketTestConfiguration.StartAllAsync(sources);
        net.CreateSender().Send(sent);
        await collector.WaitForAsync(frames => frames.Count(f => IsOurs(f, firstPort)) >= sent.Count, $"{sent.Count} frames", Patience);
        await Task.Delay(100);
        List<ReceivedFrame> received = [.. collector.Frames.Where(f => IsOurs(f, firstPort))];
        var expected = sent.Select(KernelFrames.Key).ToHashSet();
        var seen = new HashSet<string>();
        foreach (ReceivedFrame frame in received)
        {
            string key = KernelFrames.Key(frame.Data);
            Assert.Contains(key, expected);
            Assert.True(seen.Add(key), "a frame was delivered twice (on two sockets?)");
        }

        Assert.Equal(sent.Count, seen.Count);
        long kernelDrops = sources.Sum(s => s.GetStatistics().KernelDrops);
        Assert.Equal(0, kernelDrops);
        return received;
    }

    private static bool IsOurs(ReceivedFrame frame, ushort firstPort)
    {
        ushort port = KernelFrames.SourcePort(frame.Data);
        return port >= firstPort && port < firstPort + Flows;
    }
}
