using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;
using Flows = Capture.Conformance.FrameBuilder;

namespace Capture.AfPacket.Tests;

/// <summary>XDP bypass through the plugin: exact accounting of ring packets plus kernel-dropped packets.</summary>
public sealed class AfPacketBypassTests(AfPacketBypassNet net) : IClassFixture<AfPacketBypassNet>
{
    private const int FlowCount = 20;
    private const int PacketsPerPhase = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Ring_packets_plus_xdp_dropped_packets_equal_packets_sent_per_flow_and_in_total()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "2"), ("cluster-id", "4301"), ("block-size", "32768"), ("ring-size", "1024"), ("bypass", "yes"), ("xdp-mode", "driver")));
        bool disposed = false;
        try
        {
            Assert.All(sources, source => Assert.Same(sources[0].BypassStrategy, source.BypassStrategy));
            IBypassStrategy strategy = sources[0].BypassStrategy ?? throw new InvalidOperationException("bypass: yes gave no strategy");
            Assert.True(XdpLinkState.Read(net.HostInterface).Attached, "no XDP program on the interface with bypass: yes");

            FlowTuple[] flows = [.. Enumerable.Range(0, FlowCount).Select(i => i % 4 == 3
                ? Flows.Flow("2001:db8:77::1", (ushort)(30000 + i), "2001:db8:77::2", 53, 17)
                : Flows.Flow("10.77.0.1", (ushort)(30000 + i), "10.77.0.2", 80, 6))];
            int tag = 0;
            List<byte[]> Phase() => [.. Enumerable.Range(0, PacketsPerPhase).SelectMany(p => flows.Select(f => Flows.Build(f, p % 2 == 0, 40 + p, tag++)))];

            await AfPacketTestConfiguration.StartAllAsync(sources);

            // Phase 1 lands in the rings; nobody reads yet, so when flows are bypassed their first
            // packets are already past XDP (the engine's local_capture packets).
            List<byte[]> first = Phase();
            net.CreateSender().Send(first);
            await Task.Delay(100);

            var records = new Dictionary<int, BypassRecord>();
            for (int i = 0; i < FlowCount; i += 2)
            {
                var record = new BypassRecord();
                BypassOutcome outcome = strategy.TryBypass(flows[i], record);
                Assert.True(outcome.Succeeded, $"TryBypass of flow {i}: {outcome.Failure} {outcome.Detail}");
                records[i] = record;
            }

            List<byte[]> second = Phase();
            byte[] marker = Flows.Build(Flows.Flow("10.78.0.1", 9, "10.78.0.2", 9, 17), true, 20, 1_000_000);
            net.CreateSender().Send([.. second, marker]);

            var collector = new FrameCollector(sources);
            var sent = first.Concat(second).ToDictionary(KernelFrames.Key, frame => FlowOf(frame, flows));
            await collector.WaitForAsync(frames => frames.Any(f => f.Data.AsSpan().SequenceEqual(marker)), "the marker sent after both phases", Patience);
            await Task.Delay(50);

            var ringPerFlow = new int[FlowCount];
            var seen = new HashSet<string>();
            foreach (ReceivedFrame frame in collector.Frames)
            {
                string key = KernelFrames.Key(frame.Data);
                if (sent.TryGetValue(key, out int flow))
                {
                    Assert.True(seen.Add(key), "a frame was delivered twice");
                    ringPerFlow[flow]++;
                }
            }

            foreach ((int flow, BypassRecord record) in records)
            {
                Assert.True(strategy.SeenSince(flows[flow], record, 0), $"flow {flow}: SeenSince saw nothing though packets were dropped");
                strategy.Release(flows[flow], record);
            }

            long totalXdp = 0;
            for (int i = 0; i < FlowCount; i++)
            {
                long xdp = records.TryGetValue(i, out BypassRecord? record) ? record.PacketsToServer + record.PacketsToClient : 0;
                totalXdp += xdp;
                Assert.True(ringPerFlow[i] + xdp == 2 * PacketsPerPhase, $"flow {i}: ring {ringPerFlow[i]} + xdp {xdp} != sent {2 * PacketsPerPhase}");
                if (records.ContainsKey(i))
                {
                    // Phase 1 was in the ring before the bypass; phase 2 came after it and never reached user space.
                    Assert.True(ringPerFlow[i] == PacketsPerPhase, $"flow {i}: {ringPerFlow[i]} packets reached the ring, expected the {PacketsPerPhase} of before the bypass");
                    Assert.Equal(PacketsPerPhase, xdp);
                }
            }

            Assert.Equal(first.Count + second.Count, ringPerFlow.Sum() + totalXdp);
            BypassStatistics statistics = sources.Select(s => s.GetStatistics().Bypass).Aggregate(default(BypassStatistics), (a, b) => a with
            {
                IPv4 = new(a.IPv4.Success + b.IPv4.Success, a.IPv4.Failure + b.IPv4.Failure, a.IPv4.EntriesOffloaded + b.IPv4.EntriesOffloaded),
                IPv6 = new(a.IPv6.Success + b.IPv6.Success, a.IPv6.Failure + b.IPv6.Failure, a.IPv6.EntriesOffloaded + b.IPv6.EntriesOffloaded),
            });
            Assert.Equal(records.Keys.Count(i => !flows[i].IsIPv6), statistics.IPv4.Success);
            Assert.Equal(records.Keys.Count(i => flows[i].IsIPv6), statistics.IPv6.Success);
            Assert.Equal(0, statistics.IPv4.EntriesOffloaded + statistics.IPv6.EntriesOffloaded);
            Assert.Equal(0, sources.Sum(s => s.GetStatistics().KernelDrops));

            await AfPacketTestConfiguration.DisposeAllAsync(sources);
            disposed = true;
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the XDP program stayed on the interface after the sources were disposed");
        }
        finally
        {
            if (!disposed)
            {
                await AfPacketTestConfiguration.DisposeAllAsync(sources);
            }
        }
    }

    [Fact]
    public async Task Xdp_filter_is_detached_when_the_sources_stop_and_the_maps_stay_readable_until_disposed()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("bypass", "yes"), ("use-percpu-hash", "no")));
        try
        {
            IBypassStrategy strategy = sources[0].BypassStrategy!;
            await AfPacketTestConfiguration.StartAllAsync(sources);
            FlowTuple flow = Flows.Flow("10.79.0.1", 31000, "10.79.0.2", 80, 6);
            var record = new BypassRecord();
            Assert.True(strategy.TryBypass(flow, record).Succeeded);
            net.CreateSender().Send([Flows.Build(flow, true, 40, 1), Flows.Build(flow, false, 50, 2)]);
            await Task.Delay(50);
            await sources[0].StopAsync(CancellationToken.None);
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the XDP program stayed attached after the last source stopped");

            // The engine releases its flows after the capture stopped: the final counters are still there.
            strategy.Release(flow, record);
            Assert.Equal(1, record.PacketsToServer);
            Assert.Equal(1, record.PacketsToClient);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    private static int FlowOf(byte[] frame, FlowTuple[] flows)
    {
        ushort source = KernelFrames.SourcePort(frame);
        ushort destination = KernelFrames.DestinationPort(frame);
        for (int i = 0; i < flows.Length; i++)
        {
            if (flows[i].SourcePort == source || flows[i].SourcePort == destination)
            {
                return i;
            }
        }

        throw new InvalidOperationException("a frame of no test flow");
    }
}
