using System.Diagnostics;
using System.Globalization;
using Capture.Abstractions;
using Capture.AfPacket;
using Capture.AfPacket.Bench;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

// afpacket-bench [packets] [rates pps, comma separated; 0 = as fast as trafgen goes] [threads] [block-timeout ms]
// afpacket-bench libpcap [packets] [rates] [rounds]: the libpcap plugin beside af-packet, interleaved
// afpacket-bench sharppcap-read [packets]: allocations of SharpPcap's two read calls
if (args.Length > 0 && args[0] == "libpcap")
{
    return await LibpcapComparison.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "sharppcap-read")
{
    return SharpPcapReadLoop.Run(args[1..]);
}

long packets = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
long[] rates = args.Length > 1 ? [.. args[1].Split(',').Select(r => long.Parse(r, CultureInfo.InvariantCulture))] : [100_000, 300_000, 0];
int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
string blockTimeout = args.Length > 3 ? args[3] : "10";

using var network = new BenchNetwork();
Console.WriteLine($"# af-packet receive on veth, {packets} x 60-byte UDP frames over {TrafficGenerator.Flows} flows per run, {threads} ring thread(s), block-timeout {blockTimeout} ms, {Environment.ProcessorCount} CPUs");
Console.WriteLine();
Console.WriteLine("| offered pps | sent in s | ring pkts | ring drops | process user ns/pkt | process user+sys ns/pkt | capture thread ns/pkt | marginal user+sys ns/pkt (idle ms/s) | tcpdump pkts | tcpdump drops | tcpdump user ns/pkt | tcpdump user+sys ns/pkt |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
// Warm-up (JIT, tiering, ring allocation paths) outside the measured runs.
await RunAsync(Math.Min(packets, 200_000), 0, threads, blockTimeout, bypassShare: 0, withTcpdump: false);
foreach (long rate in rates)
{
    RunResult ring = await RunAsync(packets, rate, threads, blockTimeout, bypassShare: 0, withTcpdump: true);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {(rate == 0 ? "max" : rate.ToString(CultureInfo.InvariantCulture))} | {ring.Seconds:0.00} ({packets / ring.Seconds:0} pps) | {ring.Received} | {ring.KernelDrops} | {ring.UserCpu * 1e9 / Math.Max(1, ring.Received):0.0} | {ring.TotalCpu * 1e9 / Math.Max(1, ring.Received):0.0} | {ring.CaptureThreadCpu * 1e9 / Math.Max(1, ring.Received):0.0} | {ring.MarginalCpu * 1e9 / Math.Max(1, ring.Received):0.0} ({ring.IdleCpuPerSecond * 1000:0.0}) | {ring.TcpdumpCaptured} | {ring.TcpdumpDropped} | {ring.TcpdumpUserCpu * 1e9 / Math.Max(1, ring.TcpdumpCaptured):0.0} | {ring.TcpdumpCpu * 1e9 / Math.Max(1, ring.TcpdumpCaptured):0.0} |"));
}

long bypassRate = rates.Where(r => r > 0).DefaultIfEmpty(0).Min();
Console.WriteLine();
Console.WriteLine($"# XDP bypass: 90 of {TrafficGenerator.Flows} flows bypassed (90% of packets), offered {(bypassRate == 0 ? "max" : bypassRate.ToString(CultureInfo.InvariantCulture))} pps");
Console.WriteLine();
Console.WriteLine("| bypassed | ring pkts | XDP-dropped pkts | ring + XDP = sent | user CPU ns per offered pkt | total CPU ns per offered pkt | marginal ns per offered pkt |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (double share in new[] { 0.0, 0.9 })
{
    RunResult result = await RunAsync(packets, bypassRate, threads, blockTimeout, share, withTcpdump: false);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {share:P0} | {result.Received} | {result.XdpDropped} | {(result.Received + result.XdpDropped == packets ? "yes" : $"NO ({result.Received + result.XdpDropped})")} | {result.UserCpu * 1e9 / packets:0.0} | {result.TotalCpu * 1e9 / packets:0.0} | {result.MarginalCpu * 1e9 / packets:0.0} |"));
}

return 0;

static async Task<RunResult> RunAsync(long packets, long rate, int threads, string blockTimeout, double bypassShare, bool withTcpdump)
{
    ICaptureSourceFactory factory = CreateFactory();
    ConfigNode root = Configuration(threads, blockTimeout, bypassShare > 0);
    IReadOnlyList<ICaptureSource> sources = factory.CreateSources(new CaptureSourceRequest
    {
        Configuration = root,
        Services = new ServiceCollection().BuildServiceProvider(),
    });
    foreach (ICaptureSource source in sources)
    {
        await source.StartAsync(CancellationToken.None);
    }

    var consumer = new RingConsumer(sources);
    var bypassed = new List<(FlowTuple Flow, BypassRecord Record)>();
    if (bypassShare > 0)
    {
        IBypassStrategy strategy = sources[0].BypassStrategy ?? throw new InvalidOperationException("no bypass strategy");
        int count = (int)(TrafficGenerator.Flows * bypassShare);
        for (int i = 0; i < count; i++)
        {
            var flow = new FlowTuple(false, FlowAddress.FromBytes([10, 200, 0, 2]), FlowAddress.FromBytes([10, 200, 0, 1]), (ushort)(TrafficGenerator.FirstPort + i), 9, 17, 0, 0, 0, 0);
            var record = new BypassRecord();
            BypassOutcome outcome = strategy.TryBypass(flow, record);
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException($"TryBypass failed: {outcome.Failure} {outcome.Detail}");
            }

            bypassed.Add((flow, record));
        }
    }

    using TcpdumpRun? tcpdump = withTcpdump ? new TcpdumpRun(BenchNetwork.HostInterface) : null;
    Process self = Process.GetCurrentProcess();
    await Task.Delay(500);

    // What the process burns with no traffic (runtime, idle polls): subtracted for the marginal cost per packet.
    self.Refresh();
    TimeSpan idleBefore = self.TotalProcessorTime;
    var idleClock = Stopwatch.StartNew();
    await Task.Delay(2000);
    self.Refresh();
    double idlePerSecond = (self.TotalProcessorTime - idleBefore).TotalSeconds / idleClock.Elapsed.TotalSeconds;
    TimeSpan userBefore = self.UserProcessorTime;
    TimeSpan totalBefore = self.TotalProcessorTime;
    var window = Stopwatch.StartNew();
    double captureBefore = ThreadCpu.Seconds("af-packet");
    (double User, double Total) tcpdumpBefore = tcpdump?.CpuSeconds() ?? (0, 0);

    double seconds = TrafficGenerator.Send(packets, rate);

    // Let the last partly filled blocks retire (block-timeout) and the consumer finish.
    long previous = -1;
    while (consumer.Packets != previous)
    {
        previous = consumer.Packets;
        await Task.Delay(200);
    }

    self.Refresh();
    double userCpu = (self.UserProcessorTime - userBefore).TotalSeconds;
    double totalCpu = (self.TotalProcessorTime - totalBefore).TotalSeconds;
    double marginalCpu = Math.Max(0, totalCpu - (idlePerSecond * window.Elapsed.TotalSeconds));
    double captureCpu = ThreadCpu.Seconds("af-packet") - captureBefore;
    (double User, double Total) tcpdumpAfter = tcpdump?.CpuSeconds() ?? (0, 0);
    double tcpdumpUser = tcpdumpAfter.User - tcpdumpBefore.User;
    double tcpdumpCpu = tcpdumpAfter.Total - tcpdumpBefore.Total;
    if (tcpdump is not null)
    {
        // libpcap retires its last block after its own 1 s timeout: let it, so its count is complete.
        await Task.Delay(1500);
    }

    (long captured, long dropped) = tcpdump?.Stop() ?? (0, 0);

    long xdp = 0;
    foreach ((FlowTuple flow, BypassRecord record) in bypassed)
    {
        sources[0].BypassStrategy!.Release(flow, record);
        xdp += record.PacketsToServer + record.PacketsToClient;
    }

    foreach (ICaptureSource source in sources)
    {
        await source.StopAsync(CancellationToken.None);
    }

    await consumer.Completion;
    long drops = sources.Sum(s => s.GetStatistics().KernelDrops);
    foreach (ICaptureSource source in sources)
    {
        await source.DisposeAsync();
    }

    return new RunResult(seconds, consumer.Packets, drops, userCpu, totalCpu, captureCpu, marginalCpu, idlePerSecond, captured, dropped, tcpdumpUser, tcpdumpCpu, xdp);
}

static ICaptureSourceFactory CreateFactory()
{
    var services = new ServiceCollection();
    new AfPacketCapturePlugin().ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, ConfigNode.CreateMapping(), NullLoggerFactory.Instance));
    return services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>(AfPacketCapturePlugin.CaptureName);
}

static ConfigNode Configuration(int threads, string blockTimeout, bool bypass)
{
    ConfigNode root = ConfigNode.CreateMapping();
    ConfigNode list = ConfigNode.CreateSequence("af-packet");
    ConfigNode entry = ConfigNode.CreateMapping("af-packet.0");
    void Set(string key, string value) => entry.Set(key, ConfigNode.CreateScalar($"af-packet.0.{key}", value));
    Set("interface", BenchNetwork.HostInterface);
    Set("threads", threads.ToString(CultureInfo.InvariantCulture));
    Set("cluster-id", "4999");
    Set("block-size", "1mb");
    Set("ring-size", "65536");
    Set("block-timeout", blockTimeout);
    if (bypass)
    {
        Set("bypass", "yes");
        Set("xdp-mode", "driver");
    }

    list.Add(entry);
    root.Set("af-packet", list);
    return root;
}
