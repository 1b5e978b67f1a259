using System.Diagnostics;
using System.Globalization;
using Capture.Abstractions;
using Capture.Linux.Xdp;

namespace Capture.Benchmarks.Ebpf;

/// <summary>
/// Kernel flow-map costs of the XDP bypass (needs root): insert (TryBypass), lookup-and-fold
/// (SeenSince), delete (Release) rates at 100k and 1M entries, per-CPU and shared maps; a sweep
/// of the whole map; how fast the sweeper stops in the middle of a walk; bytes allocated per call.
/// The filter is attached in generic mode to a veth pair the harness creates and always removes.
/// <c>dotnet run -c Release --project bench/Capture.Benchmarks -- run ebpf-maps [entries...]</c>
/// </summary>
internal sealed class EbpfMapHarness : IBenchmarkHarness
{
    private const string Veth = "ebbench0";

    public string Name => "ebpf-maps";

    public string Description => "XDP bypass maps: insert/lookup-fold/delete rates, 1M-entry sweep, stop latency (root)";

    public int Run(string[] args)
    {
        int[] sizes = args.Length > 0 ? [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [100_000, 1_000_000];
        Ip("link", "del", Veth);
        Ip("link", "add", Veth, "type", "veth", "peer", "name", "ebbench1");
        Ip("link", "set", Veth, "up");
        try
        {
            Console.WriteLine($"possible CPUs: {Environment.ProcessorCount} online; values per per-CPU entry come from libbpf_num_possible_cpus()");
            Console.WriteLine("Rates are per second of the measuring thread's CPU time (user+sys); wall time in brackets (the machine is shared).");
            Console.WriteLine("entries  maps     insert flows/s         SeenSince ns (CPU/wall)  B/call  release flows/s        sweep ms CPU (wall)  sweep Mentries/s  stop ms (worst of 5)");
            foreach (int entries in sizes)
            {
                foreach (bool perCpu in new[] { true, false })
                {
                    Measure(entries, perCpu);
                }
            }
        }
        finally
        {
            Ip("link", "del", Veth);
        }

        return 0;
    }

    private static void Measure(int entries, bool perCpu)
    {
        int flows = entries / 2;
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = Veth, Mode = XdpMode.Soft, PerCpuMaps = perCpu, MapCapacity = entries });
        EbpfBypassStrategy strategy = filter.Strategy;
        FlowTuple[] tuples = new FlowTuple[flows];
        BypassRecord[] records = new BypassRecord[flows];
        Span<byte> a = stackalloc byte[4];
        for (int i = 0; i < flows; i++)
        {
            a[0] = 10;
            a[1] = (byte)(i >> 16);
            a[2] = (byte)(i >> 8);
            a[3] = (byte)i;
            FlowAddress client = FlowAddress.FromBytes(a);
            a[0] = 172;
            FlowAddress server = FlowAddress.FromBytes(a);
            tuples[i] = new FlowTuple(false, client, server, (ushort)(1024 + (i % 60000)), 443, 6, (ushort)(i % 4094), 0, 0, 0);
            records[i] = new BypassRecord();
        }

        Stopwatch watch = Stopwatch.StartNew();
        long cpu = ThreadCpuClock.Nanoseconds();
        for (int i = 0; i < flows; i++)
        {
            if (!strategy.TryBypass(tuples[i], records[i]).Succeeded)
            {
                throw new InvalidOperationException($"insert {i} failed");
            }
        }

        double insertSeconds = watch.Elapsed.TotalSeconds;
        double insertCpu = (ThreadCpuClock.Nanoseconds() - cpu) / 1e9;

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        watch.Restart();
        cpu = ThreadCpuClock.Nanoseconds();
        for (int i = 0; i < flows; i++)
        {
            strategy.SeenSince(tuples[i], records[i], 0);
        }

        double seenSeconds = watch.Elapsed.TotalSeconds;
        double seenCpu = (ThreadCpuClock.Nanoseconds() - cpu) / 1e9;
        double bytesPerSeen = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)flows;

        using BypassMapSweeper sweeper = filter.CreateSweeper(TimeSpan.FromHours(1));
        watch.Restart();
        cpu = ThreadCpuClock.Nanoseconds();
        SweepResult sweep = sweeper.SweepOnce();
        double sweepSeconds = watch.Elapsed.TotalSeconds;
        double sweepCpu = (ThreadCpuClock.Nanoseconds() - cpu) / 1e9;
        if (sweep.EntriesVisited != entries)
        {
            throw new InvalidOperationException($"sweep visited {sweep.EntriesVisited} of {entries}");
        }

        // Stop latency: cancel a walk 5 ms after it started; time from Cancel to SweepOnce returning.
        double worstStop = 0;
        for (int round = 0; round < 5; round++)
        {
            using CancellationTokenSource cancel = new();
            long cancelledAt = 0;
            Thread walker = new(() => sweeper.SweepOnce(cancel.Token));
            walker.Start();
            Thread.Sleep(5);
            cancelledAt = Stopwatch.GetTimestamp();
            cancel.Cancel();
            walker.Join();
            worstStop = Math.Max(worstStop, Stopwatch.GetElapsedTime(cancelledAt).TotalMilliseconds);
        }

        watch.Restart();
        cpu = ThreadCpuClock.Nanoseconds();
        for (int i = 0; i < flows; i++)
        {
            strategy.Release(tuples[i], records[i]);
        }

        double releaseSeconds = watch.Elapsed.TotalSeconds;
        double releaseCpu = (ThreadCpuClock.Nanoseconds() - cpu) / 1e9;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{entries,7}  {(perCpu ? "per-CPU" : "shared "),-7}  {flows / insertCpu,9:N0} ({flows / insertSeconds,9:N0})  {seenCpu * 1e9 / flows,9:N0} / {seenSeconds * 1e9 / flows,9:N0}    {bytesPerSeen,6:N1}  {flows / releaseCpu,9:N0} ({flows / releaseSeconds,9:N0})  {sweepCpu * 1000,8:N1} ({sweepSeconds * 1000,8:N1})  {entries / sweepCpu / 1e6,16:N2}  {worstStop,7:N2}"));
    }

    private static void Ip(params string[] arguments)
    {
        ProcessStartInfo start = new("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        process.WaitForExit();
    }
}
