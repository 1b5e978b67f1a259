using System.Diagnostics;
using System.Globalization;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;
using FlowEngine.Flows;
using FlowEngine.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Decode + flow lookup/update + flow-end logging, one thread, over a generated in-memory
/// capture: <c>run flows-pipeline [packets] [flows] [window] [rounds] [no-log]</c>.
/// </summary>
internal sealed class FlowPipelineHarness : IBenchmarkHarness
{
    private static double EndShare;
    private static bool NoLogging;

    public string Name => "flows-pipeline";

    public string Description => "decode + flow table + EVE flow logging per packet, single thread, generated capture";

    public int Run(string[] args)
    {
        int packets = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_200_000;
        int flows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 120_000;
        int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        int[] windows = args.Length > 2 ? [int.Parse(args[2], CultureInfo.InvariantCulture)] : [1000, flows];
        NoLogging = args.Length > 4 && args[4] == "no-log";
        foreach (int window in windows)
        {
            Stopwatch build = Stopwatch.StartNew();
            GeneratedCapture capture = GeneratedCapture.Create(packets, flows, window, seed: 1);
            Console.WriteLine($"capture: {capture.PacketCount:N0} packets, {capture.FlowCount:N0} flows, {capture.ByteCount / capture.PacketCount} bytes/packet average, {capture.Blocks.Count} blocks of 256 KiB, window {window} flows (built in {build.ElapsedMilliseconds} ms)");
            List<double> cpu = [];
            List<double> wall = [];
            for (int round = 0; round < rounds; round++)
            {
                (double ns, double cpuNs, long allocated, long logged) = RunOnce(capture);
                wall.Add(ns);
                cpu.Add(cpuNs);
                Console.WriteLine($"  round {round}: {cpuNs:F1} CPU-ns/packet ({1000 / cpuNs:F2} M packets per CPU-second), wall {ns:F1} ns/packet, {allocated} bytes allocated in the timed loop ({(double)allocated / capture.PacketCount:F4} per packet), {logged:N0} flow records (ending and logging them: {EndShare:F1} CPU-ns per packet)");
            }

            Console.WriteLine($"  decode alone (same blocks, no flows): {DecodeOnly(capture):F1} CPU-ns/packet");
            cpu.Sort();
            wall.Sort();
            Console.WriteLine($"window {window}: thread CPU best {cpu[0]:F1} ns/packet, median {cpu[cpu.Count / 2]:F1}; wall best {wall[0]:F1}, median {wall[wall.Count / 2]:F1}");
        }

        return 0;
    }

    private static double DecodeOnly(GeneratedCapture capture)
    {
        PacketDecoder decoder = new(new DecoderCounters());
        DecodedPacket packet = default;
        for (int pass = 0; pass < 2; pass++)
        {
            long start = ThreadCpuClock.Nanoseconds();
            foreach (GeneratedCapture.Block block in capture.Blocks)
            {
                DecodeBlock(decoder, block, ref packet);
            }

            if (pass == 1)
            {
                return (ThreadCpuClock.Nanoseconds() - start) / (double)capture.PacketCount;
            }
        }

        return 0;
    }

    private static void DecodeBlock(PacketDecoder decoder, GeneratedCapture.Block block, ref DecodedPacket packet)
    {
        ReadOnlySpan<byte> buffer = block.Buffer;
        foreach (ref readonly Capture.Abstractions.PacketRecord record in block.Packets)
        {
            decoder.Decode(buffer.Slice(record.Offset, record.CaptureLength), in record, ref packet, out _);
        }
    }

    private static (double NsPerPacket, double CpuNsPerPacket, long Allocated, long Logged) RunOnce(GeneratedCapture capture)
    {
        FlowEngineOptions options = new();
        EveFlowSink sink = new() { Enabled = !NoLogging };
        int capacity = FlowShard.CapacityFor(options, 1, 1);
        FlowShard shard = new(options, capacity, 1, 0, new FlowHasher(), 0, capture.InterfaceName, null, sink, NullLogger.Instance);
        DecoderCounters counters = new();
        Defragmenter defragmenter = new(options.Defrag, counters);
        PacketDecoder decoder = new(counters, options.Decoder, defragmenter);
        PacketWorker worker = new(capture, shard, decoder, defragmenter, null, TimeProvider.System, 1_000_000_000L, NullLogger<PacketWorker>.Instance);

        // Warm the JIT on the first blocks (they are decoded again in the timed run, into a fresh shard).
        FlowShard warmShard = new(options, 1 << 16, 1, 0, new FlowHasher(), 1, capture.InterfaceName, null, new EveFlowSink(), NullLogger.Instance);
        PacketWorker warm = new(capture, warmShard, new PacketDecoder(new DecoderCounters(), options.Decoder), null, null, TimeProvider.System, 1_000_000_000L, NullLogger<PacketWorker>.Instance);
        for (int i = 0; i < 30; i++)
        {
            warm.ProcessBatch(capture.Blocks[i % capture.Blocks.Count]);
            warm.Tick(CancellationToken.None);
        }

        warm.EndAll(FlowEndReason.Shutdown);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long cpuStart = ThreadCpuClock.Nanoseconds();
        long start = Stopwatch.GetTimestamp();
        foreach (GeneratedCapture.Block block in capture.Blocks)
        {
            worker.ProcessBatch(block);
            worker.Tick(CancellationToken.None);
        }

        long endCpu = ThreadCpuClock.Nanoseconds();
        worker.EndAll(FlowEndReason.Shutdown);
        EndShare = (ThreadCpuClock.Nanoseconds() - endCpu) / (double)capture.PacketCount;
        double elapsedNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        double cpuNs = ThreadCpuClock.Nanoseconds() - cpuStart;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (counters.Packets != capture.PacketCount || shard.Counters.Total < capture.FlowCount)
        {
            throw new InvalidOperationException($"decoded {counters.Packets} of {capture.PacketCount} packets, {shard.Counters.Total} flows of {capture.FlowCount}");
        }

        return (elapsedNs / capture.PacketCount, cpuNs / capture.PacketCount, allocated, sink.Flows);
    }
}
