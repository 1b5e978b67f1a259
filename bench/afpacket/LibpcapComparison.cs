using System.Diagnostics;
using System.Globalization;
using Capture.Abstractions;
using Capture.AfPacket;
using Capture.Libpcap;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.AfPacket.Bench;

/// <summary>
/// <c>afpacket-bench libpcap</c>: the libpcap plugin (<c>pcap</c>) beside af-packet on the same veth
/// traffic, runs interleaved (the order alternates each round) so that the load of a shared machine
/// falls on both alike. Per run: packets received, kernel drops, CPU of the process and of the
/// capture thread per packet, and bytes allocated per packet (the whole process, consumer included).
/// </summary>
internal static class LibpcapComparison
{
    public static async Task<int> RunAsync(string[] args)
    {
        long packets = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        long[] rates = args.Length > 1 ? [.. args[1].Split(',').Select(r => long.Parse(r, CultureInfo.InvariantCulture))] : [100_000, 0];
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;

        using var network = new BenchNetwork();
        Console.WriteLine($"# af-packet and libpcap (pcap plugin) receive on veth, {packets} x 60-byte UDP frames over {TrafficGenerator.Flows} flows per run, one capture thread each, {rounds} interleaved rounds, {Environment.ProcessorCount} CPUs, libpcap {SharpPcap.Pcap.LibpcapVersion}");
        Console.WriteLine();
        Console.WriteLine("| offered pps | round | plugin | sent in s | received | kernel drops | pkts per CPU-second (process) | capture thread ns/pkt | process user+sys ns/pkt | allocated B/pkt |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        await MeasureAsync(AfPacket(), Math.Min(packets, 200_000), 0);
        await MeasureAsync(Libpcap(), Math.Min(packets, 200_000), 0);
        foreach (long rate in rates)
        {
            for (int round = 1; round <= rounds; round++)
            {
                Plugin[] order = round % 2 == 1 ? [AfPacket(), Libpcap()] : [Libpcap(), AfPacket()];
                foreach (Plugin plugin in order)
                {
                    Measurement m = await MeasureAsync(plugin, packets, rate);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {(rate == 0 ? "max" : rate.ToString(CultureInfo.InvariantCulture))} | {round} | {plugin.Name} | {m.Seconds:0.00} | {m.Received} | {m.Drops} | {m.Received / Math.Max(1e-9, m.ProcessCpu):0} | {m.CaptureThreadCpu * 1e9 / Math.Max(1, m.Received):0.0} | {m.ProcessCpu * 1e9 / Math.Max(1, m.Received):0.0} | {(double)m.AllocatedBytes / Math.Max(1, m.Received):0.000} |"));
                }
            }
        }

        return 0;
    }

    private static async Task<Measurement> MeasureAsync(Plugin plugin, long packets, long rate)
    {
        IReadOnlyList<ICaptureSource> sources = plugin.Factory.CreateSources(new CaptureSourceRequest
        {
            Target = BenchNetwork.HostInterface,
            Configuration = plugin.Configuration,
            Services = new ServiceCollection().BuildServiceProvider(),
        });
        foreach (ICaptureSource source in sources)
        {
            await source.StartAsync(CancellationToken.None);
        }

        var consumer = new RingConsumer(sources);
        await Task.Delay(500);
        Process self = Process.GetCurrentProcess();
        self.Refresh();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        double threadBefore = ThreadCpu.Seconds(plugin.ThreadPrefix);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        double seconds = TrafficGenerator.Send(packets, rate);

        // Until the last part-filled blocks are retired and the consumer has read them.
        long previous = -1;
        while (consumer.Packets != previous)
        {
            previous = consumer.Packets;
            await Task.Delay(200);
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        double threadCpu = ThreadCpu.Seconds(plugin.ThreadPrefix) - threadBefore;
        self.Refresh();
        double processCpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
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

        return new Measurement(seconds, consumer.Packets, drops, processCpu, threadCpu, allocated);
    }

    private static Plugin AfPacket()
    {
        ConfigNode root = Section("af-packet", ("threads", "1"), ("cluster-id", "4998"), ("block-size", "1mb"), ("ring-size", "65536"), ("block-timeout", "10"));
        return new Plugin("af-packet", Factory(new AfPacketCapturePlugin(), root), root, "af-packet");
    }

    private static Plugin Libpcap()
    {
        // The same ring memory as af-packet's 64 blocks of 1 MiB.
        ConfigNode root = Section("pcap", ("buffer-size", "64mb"), ("checksum-checks", "no"));
        return new Plugin("pcap (libpcap)", Factory(new LibpcapCapturePlugin(), root), root, "pcap ");
    }

    private static ConfigNode Section(string name, params (string Key, string Value)[] settings)
    {
        ConfigNode root = ConfigNode.CreateMapping();
        ConfigNode list = ConfigNode.CreateSequence(name);
        ConfigNode entry = ConfigNode.CreateMapping($"{name}.0");
        entry.Set("interface", ConfigNode.CreateScalar($"{name}.0.interface", BenchNetwork.HostInterface));
        foreach ((string key, string value) in settings)
        {
            entry.Set(key, ConfigNode.CreateScalar($"{name}.0.{key}", value));
        }

        list.Add(entry);
        root.Set(name, list);
        return root;
    }

    private static ICaptureSourceFactory Factory(ICapturePlugin plugin, ConfigNode root)
    {
        var services = new ServiceCollection();
        plugin.ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, root, NullLoggerFactory.Instance));
        return services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>(plugin.Descriptor.Name);
    }

    private sealed record Plugin(string Name, ICaptureSourceFactory Factory, ConfigNode Configuration, string ThreadPrefix);

    private readonly record struct Measurement(double Seconds, long Received, long Drops, double ProcessCpu, double CaptureThreadCpu, long AllocatedBytes);
}
