using Capture.Abstractions;
using Capture.Tests.Shared;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Tests.Flows;
using Microsoft.Extensions.Logging.Abstractions;
using static FlowEngine.Tests.Pipeline.TestFrames;

namespace FlowEngine.Tests.Pipeline;

public class CaptureEngineTests
{
    private const long Ms = 1_000_000;
    private static readonly long T0 = FlowEngine.Tests.Flows.TestFlows.T0;

    [Fact]
    public async Task An_offline_capture_with_a_capture_bypass_logs_exact_totals_and_releases_everything()
    {
        InMemoryBypassStrategy strategy = new();
        MemoryCaptureSource source = new("mem0", CaptureCapabilities.Offline | CaptureCapabilities.Bypass, strategy);
        List<TestFrame> frames =
        [
            Tcp(T0, "10.9.0.1", 40000, "10.9.0.2", 443, 0x02),
            Tcp(T0 + Ms, "10.9.0.2", 443, "10.9.0.1", 40000, 0x12),
            Tcp(T0 + (2 * Ms), "10.9.0.1", 40000, "10.9.0.2", 443, 0x10),
            Udp(T0 + (3 * Ms), "10.9.0.1", 5353, "10.9.0.3", 53, 30),
        ];
        for (int i = 0; i < 40; i++)
        {
            long t = T0 + ((10 + i) * Ms);
            frames.Add(i % 3 == 0
                ? Tcp(t, "10.9.0.1", 40000, "10.9.0.2", 443, 0x18, 100)
                : Tcp(t, "10.9.0.2", 443, "10.9.0.1", 40000, 0x18, 1400));
        }

        frames.Add(Udp(T0 + (60 * Ms), "10.9.0.3", 53, "10.9.0.1", 5353, 90));
        source.Add(frames);
        source.Complete();

        RecordingSink sink = new();
        BypassAfter inspector = new(443, 4);
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, _ => inspector, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        Assert.Equal(2, sink.Events.Count);
        FlowEndEvent tls = sink.Events.Single(e => e.Tuple.Protocol == 6);
        Assert.Equal(BypassKind.Capture, tls.Bypass);
        Assert.Equal(FlowEndReason.Shutdown, tls.Reason);
        Assert.Equal(TestFlows.Address("10.9.0.1"), tls.Tuple.Source);
        Assert.Equal(443, tls.Tuple.DestinationPort);
        List<TestFrame> tlsFrames = [.. frames.Where(f => f.Tuple.Protocol == 6)];
        Assert.Equal(tlsFrames.Count(f => f.Tuple.DestinationPort == 443), tls.PacketsToServer);
        Assert.Equal(tlsFrames.Count(f => f.Tuple.SourcePort == 443), tls.PacketsToClient);
        Assert.Equal(tlsFrames.Where(f => f.Tuple.DestinationPort == 443).Sum(f => (long)f.Bytes.Length), tls.BytesToServer);
        Assert.Equal(tlsFrames.Where(f => f.Tuple.SourcePort == 443).Sum(f => (long)f.Bytes.Length), tls.BytesToClient);
        Assert.True(tls.BypassedPacketsToServer + tls.BypassedPacketsToClient > 0);
        Assert.Equal(1, strategy.TotalReleases);
        Assert.Equal(0, strategy.Entries);
        Assert.Equal(4, inspector.Inspected(443));

        FlowEndEvent dns = sink.Events.Single(e => e.Tuple.Protocol == 17);
        Assert.Equal(BypassKind.None, dns.Bypass);
        Assert.Equal("established", dns.StateName);
        Assert.Equal(1, dns.PacketsToServer);
        Assert.Equal(1, dns.PacketsToClient);
        Assert.NotEqual(0UL, dns.SourceMac);

        EngineStatistics stats = engine.GetStatistics();
        long afterBypass = tlsFrames.Count - 4;
        Assert.Equal(afterBypass, stats.Get("flow_bypassed.local_capture_pkts") + stats.Get("flow_bypassed.pkts"));
        Assert.Equal(0, stats.Get("flow_bypassed.local_pkts"));
        Assert.Equal(2, stats.Get("flow.total"));
        Assert.Equal(0, stats.Get("flow.active"));
        Assert.Equal(1, stats.Get("flow.end.state.capture_bypassed"));
        Assert.Equal(1, stats.Get("flow.end.state.established"));
        Assert.Equal(stats.Get("capture.kernel_packets"), stats.Get("decoder.pkts"));
        Assert.Contains(stats.Enumerate(), p => p.Key == "flow_bypassed.local_capture_bytes");
        Assert.Equal(source.Produced, source.Released);
    }

    [Fact]
    public async Task Without_a_capture_strategy_bypassed_packets_are_dropped_locally_and_counted()
    {
        MemoryCaptureSource source = new("mem1", CaptureCapabilities.Offline, null);
        List<TestFrame> frames = [];
        for (int i = 0; i < 10; i++)
        {
            frames.Add(Udp(T0 + (i * Ms), "10.8.0.1", 1000, "10.8.0.2", 443, 100));
        }

        source.Add(frames);
        source.Complete();
        RecordingSink sink = new();
        BypassAfter inspector = new(443, 3);
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, _ => inspector, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        FlowEndEvent end = Assert.Single(sink.Events);
        Assert.Equal(BypassKind.Local, end.Bypass);
        Assert.Equal(10, end.PacketsToServer);
        Assert.Equal(3, inspector.Inspected(443));
        EngineStatistics stats = engine.GetStatistics();
        Assert.Equal(7, stats.Get("flow_bypassed.local_pkts"));
        Assert.Equal(7 * frames[0].Bytes.Length, stats.Get("flow_bypassed.local_bytes"));
        Assert.Equal(1, stats.Get("flow.end.state.local_bypassed"));
    }

    [Fact]
    public async Task Cancelling_a_live_capture_stops_the_sources_and_ends_every_flow()
    {
        MemoryCaptureSource source = new("live0", CaptureCapabilities.Live, null);
        source.Add([Udp(T0, "10.7.0.1", 1, "10.7.0.2", 2), Udp(T0, "10.7.0.1", 3, "10.7.0.2", 4)]);
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync([source], stop.Token);
        await Wait.Until(() => engine.GetStatistics().Get("decoder.pkts") == 2);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(source.Stopped);
        Assert.Equal(2, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal(FlowEndReason.Shutdown, e.Reason));
        Assert.Equal(source.Produced, source.Released);
    }

    [Fact]
    public async Task The_synchronous_run_of_a_live_capture_reports_its_start_and_stops_when_cancelled()
    {
        MemoryCaptureSource source = new("live1", CaptureCapabilities.Live, null);
        source.Add([Udp(T0, "10.7.1.1", 1, "10.7.1.2", 2), Udp(T0, "10.7.1.1", 3, "10.7.1.2", 4)]);
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        using CancellationTokenSource stop = new();
        int startedCalls = 0;
        Task run = Task.Factory.StartNew(() => engine.Run([source], stop.Token, () => Interlocked.Increment(ref startedCalls)), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Wait.Until(() => engine.GetStatistics().Get("decoder.pkts") == 2);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, startedCalls);
        Assert.True(engine.SourcesStarted);
        Assert.True(source.Stopped);
        Assert.Equal(2, sink.Events.Count);
        Assert.All(sink.Events, e => Assert.Equal(FlowEndReason.Shutdown, e.Reason));
        Assert.Equal(source.Produced, source.Released);
        Assert.Throws<InvalidOperationException>(() => engine.Run([source], CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_live_capture_times_flows_out_on_the_injected_clock_while_idle(bool clockMovesBeforeTheFirstTick)
    {
        // With true, a loaded machine that runs the worker late: the clock passes the UDP timeout
        // between the first batch and the worker's first manager check. The manager interval
        // counts from the worker's start, so that check still runs a pass.
        ManualClock clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        MemoryCaptureSource source = new("live1", CaptureCapabilities.Live, null);
        if (clockMovesBeforeTheFirstTick)
        {
            source.OnRelease = () => clock.Advance(TimeSpan.FromSeconds(31));
        }

        RecordingSink sink = new();
        FlowEngineOptions options = new() { ManagerIntervalMilliseconds = 20 };
        CaptureEngine engine = new(options, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance, clock);
        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync([source], stop.Token);
        source.Add([Udp(clock.UnixNanoseconds, "10.6.0.1", 1, "10.6.0.2", 2)]);
        if (!clockMovesBeforeTheFirstTick)
        {
            await Wait.Until(() => engine.GetStatistics().Get("decoder.pkts") == 1);
            await Task.Delay(100);
            Assert.Empty(sink.Events);
            clock.Advance(TimeSpan.FromSeconds(31));
        }

        await Wait.Until(() => sink.Count == 1);
        Assert.Equal(FlowEndReason.Timeout, sink.Events[0].Reason);
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(sink.Events);
    }

    [Fact]
    public async Task A_live_capture_bypass_is_postponed_while_the_capture_sees_packets_and_released_when_it_stops()
    {
        ManualClock clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        InMemoryBypassStrategy strategy = new();
        MemoryCaptureSource source = new("live2", CaptureCapabilities.Live | CaptureCapabilities.Bypass, strategy, batchSize: 1);
        RecordingSink sink = new();
        BypassAfter inspector = new(443, 2);
        FlowEngineOptions options = new() { ManagerIntervalMilliseconds = 20 };
        CaptureEngine engine = new(options, new FlowStorageRegistry(), sink, _ => inspector, NullLoggerFactory.Instance, clock);
        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync([source], stop.Token);

        long t = clock.UnixNanoseconds;
        source.Add([Udp(t, "10.5.0.1", 4000, "10.5.0.2", 443, 100), Udp(t + Ms, "10.5.0.2", 443, "10.5.0.1", 4000, 900)]);
        await Wait.Until(() => engine.GetStatistics().Get("flow_bypassed.capture_success") == 1);

        // The capture now drops the flow itself: 2 packets each way.
        source.Add([Udp(t + (2 * Ms), "10.5.0.1", 4000, "10.5.0.2", 443, 100), Udp(t + (3 * Ms), "10.5.0.2", 443, "10.5.0.1", 4000, 900)]);
        source.Add([Udp(t + (4 * Ms), "10.5.0.1", 4000, "10.5.0.2", 443, 100), Udp(t + (5 * Ms), "10.5.0.2", 443, "10.5.0.1", 4000, 900)]);
        await Wait.Until(() => strategy.GetStatistics().Packets == 4);

        // Past the bypassed timeout (100 s): the capture saw packets, so the timeout is postponed.
        clock.Advance(TimeSpan.FromSeconds(101));
        await Wait.Until(() => engine.GetStatistics().Get("flow_bypassed.pkts") == 4);
        await Task.Delay(100);
        Assert.Empty(sink.Events);

        // Quiet for another bypassed timeout: released and ended.
        clock.Advance(TimeSpan.FromSeconds(101));
        await Wait.Until(() => sink.Count == 1);
        FlowEndEvent end = sink.Events[0];
        Assert.Equal(FlowEndReason.Timeout, end.Reason);
        Assert.Equal(BypassKind.Capture, end.Bypass);
        Assert.Equal(1, strategy.TotalReleases);
        Assert.Equal(0, strategy.Entries);
        Assert.Equal(2, end.BypassedPacketsToServer);
        Assert.Equal(2, end.BypassedPacketsToClient);
        Assert.Equal(3, end.PacketsToServer);
        Assert.Equal(3, end.PacketsToClient);
        Assert.Equal(1, engine.GetStatistics().Get("flow_bypassed.closed"));

        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(sink.Events);
        Assert.Equal(1, strategy.TotalReleases);
    }

    [Fact]
    public async Task A_second_run_and_late_storage_registration_are_refused()
    {
        FlowStorageRegistry storage = new();
        MemoryCaptureSource source = new("mem2", CaptureCapabilities.Offline, null);
        source.Complete();
        CaptureEngine engine = new(new FlowEngineOptions(), storage, new RecordingSink(), null, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => storage.Register<string>("late"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.RunAsync([source], CancellationToken.None));
    }

    [Fact]
    public void Bad_options_are_refused_with_the_key_named()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            new CaptureEngine(new FlowEngineOptions { EmergencyRecovery = 0 }, new FlowStorageRegistry(), new RecordingSink(), null, NullLoggerFactory.Instance));
        Assert.Contains("emergency-recovery", error.Message, StringComparison.Ordinal);
    }

    [Trait("Category", SharedPcaps.Category)]
    [Theory]
    [InlineData("pcapplusplus/example.pcap")]
    [InlineData("pcapplusplus/DnsPackets.pcap")]
    [InlineData("pcapplusplus/4KHttpRequests.pcap")]
    [InlineData("pcapplusplus/650HttpResponses.pcap")]
    [InlineData("pcapplusplus/VlanPackets.pcap")]
    [InlineData("pcapplusplus/many-protocols.pcap")]
    public async Task Flow_counts_of_the_shared_captures_match_the_manifest(string capture)
    {
        IReadOnlyDictionary<string, string> row = SharedPcaps.Manifest().Single(r => r["path"] == capture);
        (LinkType linkType, List<(PacketRecord Record, byte[] Bytes)> packets) = ClassicPcapFile.Read(SharedPcaps.Get(capture));
        Assert.Equal(long.Parse(row["packets"], System.Globalization.CultureInfo.InvariantCulture), packets.Count);
        MemoryCaptureSource source = new(capture, CaptureCapabilities.Offline, null, batchSize: 64);
        source.Add(packets.Select(p => new TestFrame(p.Record.TimestampNanoseconds, p.Bytes, default, linkType, p.Record.OriginalLength)));
        source.Complete();
        RecordingSink sink = new();

        // The manifest counts distinct tuples over the whole file; flow timeouts would split idle
        // tuples into several flows (as Suricata does), so they are set beyond the capture's length here.
        FlowTimeouts never = new(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000);
        FlowEngineOptions options = new() { Timeouts = new FlowTimeoutTable { Default = never, Tcp = never, Udp = never, Icmp = never } };
        CaptureEngine engine = new(options, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        Assert.Equal(long.Parse(row["flows_5tuple_vlan_approx"], System.Globalization.CultureInfo.InvariantCulture), sink.Events.Count);
        foreach (string pair in row["flows_by_proto"].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=');
            byte protocol = kv[0] switch { "tcp" => 6, "udp" => 17, "icmp" => 1, "icmp6" => 58, _ => 0 };
            if (protocol != 0)
            {
                Assert.Equal(int.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture), sink.Events.Count(e => e.Tuple.Protocol == protocol));
            }
        }

        // Every IP packet counts once in its flow; fragments held for reassembly count as their datagram.
        long nonIp = long.Parse(row["nonip_pkts"], System.Globalization.CultureInfo.InvariantCulture);
        EngineStatistics stats = engine.GetStatistics();
        long held = stats.Decoder.Fragments - stats.Decoder.Reassembled;
        Assert.Equal(packets.Count - nonIp - held, sink.Events.Sum(e => e.PacketsToServer + e.PacketsToClient));
        Assert.Equal(0, engine.GetStatistics().FlowsActive);
    }

    [Trait("Category", SharedPcaps.Category)]
    [Theory]
    [InlineData("pcapplusplus/example.pcap")]
    [InlineData("pcapplusplus/ip-frag.pcap")]
    [InlineData("pcapplusplus/many-protocols.pcap")]
    public async Task Several_workers_on_one_offline_capture_give_the_same_flows_as_one(string capture)
    {
        (LinkType linkType, List<(PacketRecord Record, byte[] Bytes)> packets) = ClassicPcapFile.Read(SharedPcaps.Get(capture));

        async Task<(Dictionary<FlowTuple, (long, long, long, long)> Flows, MemoryCaptureSource Source)> RunWith(int workers)
        {
            MemoryCaptureSource source = new(capture, CaptureCapabilities.Offline, null, batchSize: 64);
            source.Add(packets.Select(p => new TestFrame(p.Record.TimestampNanoseconds, p.Bytes, default, linkType, p.Record.OriginalLength)));
            source.Complete();
            RecordingSink sink = new();
            CaptureEngine engine = new(new FlowEngineOptions { Workers = workers }, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
            await engine.RunAsync([source], CancellationToken.None);
            Assert.Equal(packets.Count, engine.GetStatistics().Get("decoder.pkts"));
            Assert.Single(engine.GetStatistics().Sources);
            return (sink.Events.ToDictionary(e => e.Tuple, e => (e.PacketsToServer, e.PacketsToClient, e.BytesToServer, e.BytesToClient)), source);
        }

        (Dictionary<FlowTuple, (long, long, long, long)> one, _) = await RunWith(1);
        (Dictionary<FlowTuple, (long, long, long, long)> three, MemoryCaptureSource source3) = await RunWith(3);
        Assert.Equal(one.Count, three.Count);
        foreach ((FlowTuple tuple, (long, long, long, long) totals) in one)
        {
            Assert.Equal(totals, three[tuple]);
        }

        Assert.Equal(source3.Produced, source3.Released);
    }

    [Fact]
    public async Task Without_recursion_tracking_a_flow_on_the_wire_and_in_a_tunnel_is_one_flow_whatever_the_worker_count()
    {
        // Sixteen pings, each request on the wire and its reply inside IPv4-in-IPv6 between outer
        // addresses of its own: a dispatcher keyed on the outer addresses would part them.
        var frames = new List<TestFrame>();
        for (byte k = 0; k < 16; k++)
        {
            byte[] request = Decode.TestPackets.IPv4(1, [8, 0, 0, 0, 0, k, 0, 1], [1, 1, 1, k], [2, 2, 2, k]);
            byte[] reply = Decode.TestPackets.IPv4(1, [0, 0, 0, 0, 0, k, 0, 1], [2, 2, 2, k], [1, 1, 1, k]);
            byte[] outerA = [0xfd, 1, .. new byte[13], k];
            byte[] outerB = [0xfd, 2, .. new byte[13], k];
            frames.Add(new TestFrame(T0 + (k * Ms), Decode.TestPackets.Ethernet(0x0800, request), default));
            frames.Add(new TestFrame(T0 + (k * Ms) + 1, Decode.TestPackets.Ethernet(0x86DD, Decode.TestPackets.IPv6(4, reply, outerB, outerA)), default));
        }

        foreach (int workers in new[] { 1, 3 })
        {
            MemoryCaptureSource source = new("tunnel-pings", CaptureCapabilities.Offline, null, batchSize: 8);
            source.Add(frames);
            source.Complete();
            RecordingSink sink = new();
            CaptureEngine engine = new(new FlowEngineOptions { Workers = workers, RecursionTracking = false }, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
            await engine.RunAsync([source], CancellationToken.None);

            FlowEndEvent[] pings = [.. sink.Events.Where(e => e.Tuple.Protocol == 1)];
            Assert.Equal(16, pings.Length);
            Assert.All(pings, e => Assert.Equal((1L, 1L), (e.PacketsToServer, e.PacketsToClient)));
            Assert.Equal(16, sink.Events.Count(e => e.Tuple.Protocol == 4));
        }
    }

    [Fact]
    public async Task A_protocol_unreachable_about_a_gre_packet_makes_no_gre_flow()
    {
        // A host without the tunnel answers a GRE packet with "protocol 47 unreachable" quoting it
        // whole (as Linux does): the error is plain ICMP, as in Suricata, not a GRE flow of its own.
        byte[] peer = [192, 0, 2, 2];
        byte[] host = [192, 0, 2, 1];
        byte[] innerTcp = Decode.TestPackets.IPv4(6, Decode.TestPackets.Tcp(38081, 8081, 0x02), [10, 78, 0, 1], [10, 78, 0, 2]);
        byte[] greIp = Decode.TestPackets.IPv4(47, Decode.TestPackets.Cat(Decode.TestPackets.Be16(0x2000), Decode.TestPackets.Be16(0x0800), Decode.TestPackets.Be32(77), innerTcp), peer, host);
        byte[] unreachable = Decode.TestPackets.IPv4(1, Decode.TestPackets.Cat([3, 2, 0, 0, 0, 0, 0, 0], greIp), host, peer);
        MemoryCaptureSource source = new("gre-unreachable", CaptureCapabilities.Offline, null);
        source.Add([
            new TestFrame(T0, Decode.TestPackets.Ethernet(0x0800, greIp), default),
            new TestFrame(T0 + Ms, Decode.TestPackets.Ethernet(0x0800, unreachable), default),
        ]);
        source.Complete();
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        Assert.DoesNotContain(sink.Events, e => e.Tuple.Protocol == 47);
        FlowEndEvent tcp = sink.Events.Single(e => e.Tuple.Protocol == 6);
        Assert.Equal((1L, 0L), (tcp.PacketsToServer, tcp.PacketsToClient));
        FlowEndEvent icmp = sink.Events.Single(e => e.Tuple.Protocol == 1);
        Assert.Equal((1L, 0L), (icmp.PacketsToServer, icmp.PacketsToClient));
        Assert.Equal(2, sink.Events.Count);
    }

    /// <summary>
    /// Fragmented captures: the MANIFEST counts tuples without reassembly (a fragment without ports is a
    /// "flow" of its own there); we reassemble, so a fragmented datagram belongs to its real flow.
    /// ip-frag.pcap's one ICMP flow is a "protocol unreachable" quoting SCTP: an error about neither
    /// TCP nor UDP is plain ICMP (as Suricata), and the MANIFEST counts no ICMP.
    /// </summary>
    [Trait("Category", SharedPcaps.Category)]
    [Theory]
    [InlineData("pcapplusplus/ip-frag.pcap", "tcp=2,udp=2,icmp=1,sctp=1")]
    [InlineData("pcapplusplus/ipv6-frag.pcap", "udp=1")]
    [InlineData("pcapplusplus/frag_http_req.pcap", "tcp=1")]
    public async Task Fragmented_captures_give_one_flow_per_reassembled_tuple(string capture, string expected)
    {
        (LinkType linkType, List<(PacketRecord Record, byte[] Bytes)> packets) = ClassicPcapFile.Read(SharedPcaps.Get(capture));
        MemoryCaptureSource source = new(capture, CaptureCapabilities.Offline, null, batchSize: 64);
        source.Add(packets.Select(p => new TestFrame(p.Record.TimestampNanoseconds, p.Bytes, default, linkType, p.Record.OriginalLength)));
        source.Complete();
        RecordingSink sink = new();
        FlowTimeouts never = new(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000);
        FlowEngineOptions options = new() { Timeouts = new FlowTimeoutTable { Default = never, Tcp = never, Udp = never, Icmp = never } };
        CaptureEngine engine = new(options, new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        string actual = string.Join(",", sink.Events
            .GroupBy(e => e.Tuple.Protocol switch { 6 => "tcp", 17 => "udp", 132 => "sctp", 1 => "icmp", _ => e.Tuple.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .OrderByDescending(g => g.Key == "tcp").ThenByDescending(g => g.Key == "udp").ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={g.Count()}"));
        Assert.Equal(expected, actual);
        EngineStatistics stats = engine.GetStatistics();
        Assert.True(stats.Decoder.Reassembled > 0);
        long held = stats.Decoder.Fragments - stats.Decoder.Reassembled;
        Assert.Equal(packets.Count - stats.Get("flow.no_flow_pkts") - held, sink.Events.Sum(e => e.PacketsToServer + e.PacketsToClient));
    }

    [Trait("Category", SharedPcaps.Category)]
    [Fact]
    public async Task A_flow_inside_a_vxlan_tunnel_names_the_outer_flow_as_its_parent()
    {
        (LinkType linkType, List<(PacketRecord Record, byte[] Bytes)> packets) = ClassicPcapFile.Read(SharedPcaps.Get("pcapplusplus/pkt_Vxlan1.pcap"));
        MemoryCaptureSource source = new("vxlan", CaptureCapabilities.Offline, null);
        source.Add(packets.Select(p => new TestFrame(p.Record.TimestampNanoseconds, p.Bytes, default, linkType, p.Record.OriginalLength)));
        source.Complete();
        RecordingSink sink = new();
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, null, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        Assert.Equal(2, sink.Events.Count);
        FlowEndEvent outer = sink.Events.Single(e => e.Tuple.TunnelDepth == 0);
        FlowEndEvent inner = sink.Events.Single(e => e.Tuple.TunnelDepth == 1);
        Assert.Equal(17, outer.Tuple.Protocol);
        Assert.Equal(1, inner.Tuple.Protocol);
        Assert.Equal(outer.FlowId, inner.TunnelParentFlowId);
        Assert.Equal(0, outer.TunnelParentFlowId);
        Assert.Equal(1, outer.PacketsToServer);
        Assert.Equal(1, inner.PacketsToServer);
        Assert.True(inner.BytesToServer < outer.BytesToServer);
    }

    /// <summary>Bypasses flows to a port after a number of inspected packets; counts what it saw.</summary>
    private sealed class BypassAfter(ushort port, int packets) : IPacketInspector
    {
        private readonly Dictionary<ushort, int> _seen = [];

        public int Inspected(ushort p) => _seen.GetValueOrDefault(p);

        public void Inspect(ref PacketContext context)
        {
            FlowView flow = context.Flow;
            ushort serverPort = flow.Tuple.DestinationPort;
            _seen[serverPort] = _seen.GetValueOrDefault(serverPort) + 1;
            Assert.True(context.Payload.Length == context.Packet.Innermost.PayloadLength);
            if (serverPort == port && flow.PacketsToServer + flow.PacketsToClient >= packets)
            {
                context.RequestBypass();
            }
        }
    }
}
