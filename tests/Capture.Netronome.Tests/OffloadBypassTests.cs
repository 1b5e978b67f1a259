using Capture.Abstractions;
using Capture.Conformance;
using Capture.Netronome.Bypass;
using Capture.Tests.Kernel;
using FrameBuilder = Capture.Conformance.FrameBuilder;

namespace Capture.Netronome.Tests;

/// <summary>
/// The bypass scenario at plugin level on the emulated path (the offload program and shared maps
/// run in the kernel): two interfaces, six capture threads, one bypass manager.
/// </summary>
public sealed class OffloadBypassTests(OffloadBypassNet net) : IClassFixture<OffloadBypassNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Emulated_offload_accounts_exactly_decides_liveness_by_counters_and_runs_one_manager_thread()
    {
        ConfigNode config = TestConfig.Section(
            TestConfig.Emulated(net.First.HostInterface, threads: 4, mode: "driver"),
            TestConfig.Emulated(net.Second.HostInterface, threads: 2, mode: "soft"));
        using var harness = new PluginHarness(config);
        IReadOnlyList<ICaptureSource> sources = harness.CreateSources();
        var flows = new List<SentFlow>
        {
            new(net.First, FrameBuilder.Flow("10.61.0.1", 5000, "10.61.0.2", 53, 17)),
            new(net.First, FrameBuilder.Flow("10.61.0.1", 5001, "10.61.0.2", 80, 6)),
            new(net.First, FrameBuilder.Flow("2001:db8:61::1", 5002, "2001:db8:61::2", 443, 6)),
            new(net.Second, FrameBuilder.Flow("10.62.0.1", 6000, "10.62.0.2", 443, 6)),
        };
        try
        {
            Assert.Equal(6, sources.Count);
            var collector = new FrameCollector(sources);
            foreach (ICaptureSource source in sources)
            {
                await source.StartAsync(CancellationToken.None);
            }

            // One manager thread for the plugin, however many interfaces and capture threads.
            Assert.True(ThreadCensus.CountPrefix("af-packet") >= 6, "the six capture threads are not running");
            Assert.Equal(1, ThreadCensus.Count(OffloadBypassManager.ThreadName));

            IBypassStrategy first = sources.First(s => string.Equals(s.InterfaceName, net.First.HostInterface, StringComparison.Ordinal)).BypassStrategy!;
            IBypassStrategy second = sources.First(s => string.Equals(s.InterfaceName, net.Second.HostInterface, StringComparison.Ordinal)).BypassStrategy!;
            Assert.NotSame(first, second);
            Assert.All(sources, s => Assert.Same(string.Equals(s.InterfaceName, net.First.HostInterface, StringComparison.Ordinal) ? first : second, s.BypassStrategy));
            foreach (SentFlow flow in flows)
            {
                flow.Strategy = flow.Net == net.First ? first : second;
            }

            // Before the bypass: these reach the rings (and stay counted there).
            await SendAsync(flows, f => f.Frames(2, 2, NextTag));
            await collector.WaitForAsync(received => flows.All(f => f.CountIn(received) == f.Sent), "the flows' first frames in the rings", Patience);

            foreach (SentFlow flow in flows)
            {
                BypassOutcome outcome = flow.Strategy!.TryBypass(flow.Tuple, flow.Record);
                Assert.True(outcome.Succeeded, $"TryBypass failed: {outcome.Failure} {outcome.Detail}");
            }

            // After TryBypass returned: the entries are in the maps, nothing more reaches the rings.
            await SendAsync(flows, f => f.Frames(12, 8, NextTag));
            await collector.WaitForAsync(received => received.Count(IsMarker) >= 2, "the markers after the bypassed frames", Patience);
            OffloadBypassManager manager = ((OffloadBypassStrategy)first).Manager;
            FreshRead(manager);
            Assert.All(flows, f => Assert.True(f.Strategy!.SeenSince(f.Tuple, f.Record, 0), $"{f.Tuple.SourcePort}: packets were dropped, yet not seen"));

            // Only flows 0 and 3 keep sending: liveness is decided by their counters alone.
            SentFlow[] talking = [flows[0], flows[3]];
            await SendAsync(talking, f => f.Frames(6, 4, NextTag));
            await collector.WaitForAsync(received => received.Count(IsMarker) >= 4, "the markers after the talking flows", Patience);
            FreshRead(manager);
            foreach (SentFlow flow in flows)
            {
                bool expected = talking.Contains(flow);
                Assert.Equal(expected, flow.Strategy!.SeenSince(flow.Tuple, flow.Record, 0));
            }

            // And again: a quiet check right after is not seen for anybody.
            Assert.All(flows, f => Assert.False(f.Strategy!.SeenSince(f.Tuple, f.Record, 0)));

            OffloadManagerStatistics managerStatistics = manager.GetStatistics();
            Assert.Equal(0, managerStatistics.QueueDepth);
            Assert.True(managerStatistics.Inserted >= flows.Count, $"manager inserted {managerStatistics.Inserted}");
            Assert.True(managerStatistics.Polls >= 3, $"liveness checks should have caused polls; {managerStatistics.Polls} done");

            foreach (SentFlow flow in flows)
            {
                flow.Strategy!.Release(flow.Tuple, flow.Record);
                Assert.True(flow.Record.Released);
            }

            // Exact accounting, per flow and per direction: ring + map counters == sent.
            IReadOnlyList<ReceivedFrame> all = collector.Frames;
            long totalSent = 0;
            long totalAccounted = 0;
            foreach (SentFlow flow in flows)
            {
                (int ringToServer, long ringBytesToServer) = flow.CountIn(all, toServer: true);
                (int ringToClient, long ringBytesToClient) = flow.CountIn(all, toServer: false);
                Assert.Equal(2, ringToServer);
                Assert.Equal(2, ringToClient);
                Assert.Equal(flow.SentToServer.Count, ringToServer + flow.Record.PacketsToServer);
                Assert.Equal(flow.SentToClient.Count, ringToClient + flow.Record.PacketsToClient);
                Assert.Equal(flow.SentToServer.Sum(f => (long)f.Length), ringBytesToServer + flow.Record.BytesToServer);
                Assert.Equal(flow.SentToClient.Sum(f => (long)f.Length), ringBytesToClient + flow.Record.BytesToClient);
                totalSent += flow.Sent;
                totalAccounted += ringToServer + ringToClient + flow.Record.PacketsToServer + flow.Record.PacketsToClient;
            }

            Assert.Equal(totalSent, totalAccounted);
            BypassStatistics firstStatistics = first.GetStatistics();
            BypassStatistics secondStatistics = second.GetStatistics();
            Assert.Equal(flows.Take(3).Sum(f => f.Record.PacketsToServer + f.Record.PacketsToClient), firstStatistics.Packets);
            Assert.Equal(flows[3].Record.PacketsToServer + flows[3].Record.PacketsToClient, secondStatistics.Packets);
            Assert.Equal((2, 1, 0L, 0L), (firstStatistics.IPv4.Success, firstStatistics.IPv6.Success, firstStatistics.IPv4.EntriesOffloaded, firstStatistics.IPv6.EntriesOffloaded));
            Assert.Equal(0, firstStatistics.IPv4.Failure);
        }
        finally
        {
            foreach (ICaptureSource source in sources)
            {
                await source.DisposeAsync();
            }
        }

        Assert.False(XdpLinkState.Read(net.First.HostInterface).Attached, "an XDP program is left on the first interface");
        Assert.False(XdpLinkState.Read(net.Second.HostInterface).Attached, "an XDP program is left on the second interface");
    }

    [Fact]
    public async Task Concurrent_TryBypass_from_many_workers_returns_success_only_once_inserted()
    {
        using var harness = new PluginHarness(TestConfig.Section(TestConfig.Emulated(net.First.HostInterface, threads: 2, mode: "driver")));
        IReadOnlyList<ICaptureSource> sources = harness.CreateSources();
        try
        {
            foreach (ICaptureSource source in sources)
            {
                await source.StartAsync(CancellationToken.None);
            }

            IBypassStrategy strategy = sources[0].BypassStrategy!;
            var manager = ((OffloadBypassStrategy)strategy).Manager;
            long insertedBefore = manager.GetStatistics().Inserted;
            const int Workers = 8;
            const int PerWorker = 50;
            var records = new (FlowTuple Flow, BypassRecord Record)[Workers * PerWorker];
            var ready = new Barrier(Workers);
            Thread[] threads = [.. Enumerable.Range(0, Workers).Select(w => new Thread(() =>
            {
                ready.SignalAndWait();
                for (int i = 0; i < PerWorker; i++)
                {
                    int n = (w * PerWorker) + i;
                    FlowTuple flow = FrameBuilder.Flow($"10.63.{w}.1", (ushort)(10000 + i), "10.63.100.2", 80, 6);
                    var record = new BypassRecord();
                    BypassOutcome outcome = strategy.TryBypass(flow, record);
                    records[n] = (flow, outcome.Succeeded ? record : null!);
                }
            }))];
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            ready.Dispose();
            Assert.All(records, r => Assert.NotNull(r.Record));
            Assert.Equal(Workers * PerWorker, strategy.GetStatistics().IPv4.EntriesOffloaded);
            Assert.Equal(Workers * PerWorker, strategy.GetStatistics().IPv4.Success);
            Assert.True(manager.GetStatistics().Inserted - insertedBefore >= Workers * PerWorker);

            // Each insert is really in the map: a frame of every flow is dropped, none reaches the rings.
            var collector = new FrameCollector(sources);
            byte[][] frames = [.. records.Select((r, i) => FrameBuilder.Build(r.Flow, i % 2 == 0, 20, i + 1))];
            byte[] marker = Marker(1);
            await Task.Run(() => Sender(net.First).Send([.. frames, marker]));
            await collector.WaitForAsync(received => received.Any(IsMarker), "the marker", Patience);
            var sent = new HashSet<string>(frames.Select(Convert.ToBase64String), StringComparer.Ordinal);
            Assert.Equal(0, collector.Frames.Count(f => sent.Contains(Convert.ToBase64String(f.Data))));
            foreach ((FlowTuple flow, BypassRecord record) in records)
            {
                strategy.Release(flow, record);
            }

            Assert.Equal(Workers * PerWorker, records.Sum(r => r.Record.PacketsToServer + r.Record.PacketsToClient));
            Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);
        }
        finally
        {
            foreach (ICaptureSource source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    // The frames were counted before the marker behind them reached a ring; a map read started now
    // sees them, and a check made right after accepts that read (it is within the freshness window).
    private static void FreshRead(OffloadBypassManager manager) =>
        Assert.True(manager.WaitForPoll(manager.PollsStarted + 1, System.Diagnostics.Stopwatch.GetTimestamp()), "no map read came");

    private static NetnsFrameSender Sender(VethNamespace vnet)
    {
        NetnsFrameSender sender = vnet.CreateSender();
        sender.BurstSize = 8;
        return sender;
    }

    private static bool IsMarker(ReceivedFrame frame) => frame.Data.Length > 40 && FrameInfo.TryParse(frame.Data, out FrameInfo info) && info.DestinationPort == 9 && info.SourcePort == 9;

    private static byte[] Marker(int tag) => FrameBuilder.Build(FrameBuilder.Flow("10.99.0.1", 9, "10.99.0.2", 9, 17), true, 20, 1_000_000 + tag);

    private int _tag;

    private int NextTag() => ++_tag;

    private Task SendAsync(IReadOnlyList<SentFlow> flows, Func<SentFlow, IEnumerable<byte[]>> frames)
    {
        var perNet = new Dictionary<VethNamespace, List<byte[]>>();
        foreach (SentFlow flow in flows)
        {
            if (!perNet.TryGetValue(flow.Net, out List<byte[]>? list))
            {
                perNet[flow.Net] = list = [];
            }

            list.AddRange(frames(flow));
        }

        var sends = new List<Task>();
        foreach ((VethNamespace vnet, List<byte[]> list) in perNet)
        {
            list.Add(Marker(NextTag()));
            sends.Add(Task.Run(() => Sender(vnet).Send(list)));
        }

        return Task.WhenAll(sends);
    }

    private sealed class SentFlow(VethNamespace net, FlowTuple tuple)
    {
        public VethNamespace Net { get; } = net;

        public FlowTuple Tuple { get; } = tuple;

        public IBypassStrategy? Strategy { get; set; }

        public BypassRecord Record { get; } = new();

        public List<byte[]> SentToServer { get; } = [];

        public List<byte[]> SentToClient { get; } = [];

        public int Sent => SentToServer.Count + SentToClient.Count;

        public List<byte[]> Frames(int toServer, int toClient, Func<int> tag)
        {
            var frames = new List<byte[]>();
            for (int i = 0; i < Math.Max(toServer, toClient); i++)
            {
                if (i < toServer)
                {
                    byte[] frame = FrameBuilder.Build(Tuple, true, 40 + (i * 7), tag());
                    SentToServer.Add(frame);
                    frames.Add(frame);
                }

                if (i < toClient)
                {
                    byte[] frame = FrameBuilder.Build(Tuple, false, 90 + (i * 5), tag());
                    SentToClient.Add(frame);
                    frames.Add(frame);
                }
            }

            return frames;
        }

        public int CountIn(IReadOnlyList<ReceivedFrame> received) => CountIn(received, true).Packets + CountIn(received, false).Packets;

        public (int Packets, long Bytes) CountIn(IReadOnlyList<ReceivedFrame> received, bool toServer)
        {
            var sent = new HashSet<string>((toServer ? SentToServer : SentToClient).Select(Convert.ToBase64String), StringComparer.Ordinal);
            int packets = 0;
            long bytes = 0;
            foreach (ReceivedFrame frame in received)
            {
                if (sent.Contains(Convert.ToBase64String(frame.Data)))
                {
                    packets++;
                    bytes += frame.Data.Length;
                }
            }

            return (packets, bytes);
        }
    }
}
