using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Decode + flow lookup/update + flow-end logging, one thread, over a generated in-memory
/// capture: <c>run flows-pipeline [packets] [flows] [window] [rounds] [no-log|eve|eve-queue]</c>.
/// Flow ends are written by the bench sink (the core EVE flow fields), not at all (<c>no-log</c>),
/// as the sample host's full EVE flow line (<c>eve</c>), or as that line formatted by an output
/// thread behind a <see cref="FlowEndQueue"/> (<c>eve-queue</c>: the worker's figures are its
/// queueing, waits for room included). Besides each round's total, the blocks and the
/// flow ends are timed in pieces with a core-speed probe between them and reported apart by the
/// state the host's core was in (<see cref="CoreSpeedProbe"/>).
/// </summary>
internal sealed class FlowPipelineHarness : IBenchmarkHarness
{
    /// <summary>
    /// Rounds not counted: round 0 pays the table's first-touch page faults, and with tiered PGO
    /// the code reaches its final tier only after an instrumented tier (every process measured
    /// here ran its rounds 1 and 2 at 110-155 ns, then settled).
    /// </summary>
    private const int WarmUpRounds = 3;

    private static double EndShare;
    private static long s_touched;
    private static string Logging = "log";

    public string Name => "flows-pipeline";

    public string Description => "decode + flow table + EVE flow logging per packet, single thread, generated capture";

    public int Run(string[] args)
    {
        int packets = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_200_000;
        int flows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 120_000;
        int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        int[] windows = args.Length > 2 ? [int.Parse(args[2], CultureInfo.InvariantCulture)] : [1000, flows];
        Logging = args.Length > 4 ? args[4] : "log";
        if (Logging is not ("log" or "no-log" or "eve" or "eve-queue"))
        {
            Console.Error.WriteLine($"unknown logging mode '{Logging}': log, no-log, eve or eve-queue");
            return 2;
        }
        foreach (int window in windows)
        {
            Stopwatch build = Stopwatch.StartNew();
            GeneratedCapture capture = GeneratedCapture.Create(packets, flows, window, seed: 1);
            Console.WriteLine($"capture: {capture.PacketCount:N0} packets, {capture.FlowCount:N0} flows, {capture.ByteCount / capture.PacketCount} bytes/packet average, {capture.Blocks.Count} blocks of 256 KiB, window {window} flows (built in {build.ElapsedMilliseconds} ms)");
            try
            {
                RunWindow(capture, window, rounds);
            }
            finally
            {
                // Completes at once: it frees the capture's native memory.
                capture.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        return 0;
    }

    private static void RunWindow(GeneratedCapture capture, int window, int rounds)
    {
        List<double> cpu = [];
        List<double> wall = [];
        Pipeline pipeline = new(capture, rounds);
        for (int round = 0; round < rounds; round++)
        {
            bool warmUp = round < WarmUpRounds;
            (double ns, double cpuNs, long allocated, long logged) = pipeline.RunOnce(counted: !warmUp);
            if (!warmUp)
            {
                wall.Add(ns);
                cpu.Add(cpuNs);
            }

            Console.WriteLine($"  round {round}{(warmUp ? " (warm-up, not counted)" : string.Empty)}: {cpuNs:F1} CPU-ns/packet ({1000 / cpuNs:F2} M packets per CPU-second), wall {ns:F1} ns/packet, {allocated} bytes allocated in the timed loop ({(double)allocated / capture.PacketCount:F4} per packet), {logged:N0} flow records (ending and logging them: {EndShare:F1} CPU-ns per packet)");
            if (warmUp)
            {
                // Lets the background JIT finish the tier it is compiling for what this round ran.
                Thread.Sleep(300);
            }
        }

        Console.WriteLine($"  decode alone (same blocks, no flows): {DecodeOnly(capture):F1} CPU-ns/packet");
        Console.WriteLine($"  reading the two header lines alone (same blocks, same prefetch; the memory floor): {TouchOnly(capture):F1} CPU-ns/packet");
        Console.WriteLine($"  formatting one flow record alone (the sink, same event every time): {FormatOnly(capture.FlowCount):F1} CPU-ns/record");
        if (Logging is "eve" or "eve-queue")
        {
            Console.WriteLine($"  formatting one full EVE flow line alone (4,096 different events): {FormatEveOnly(capture.FlowCount):F1} CPU-ns/record");
        }
        if (cpu.Count == 0)
        {
            return;
        }

        cpu.Sort();
        wall.Sort();
        Console.WriteLine($"window {window}: thread CPU best {cpu[0]:F1} ns/packet, median {cpu[cpu.Count / 2]:F1}; wall best {wall[0]:F1}, median {wall[wall.Count / 2]:F1}");
        ReportBySpeed(pipeline, capture);
    }

    /// <summary>
    /// The same rounds read block by block, split by the core's state around each block (see
    /// <see cref="CoreSpeedProbe"/>): full speed when both probes are within 20 % of the fastest
    /// probes of the run (their 2nd percentile). A run spent wholly in the slow state would call
    /// its slow blocks full speed; the probe's level, printed, shows it (~14 ns here at full speed).
    /// </summary>
    private static void ReportBySpeed(Pipeline pipeline, GeneratedCapture capture)
    {
        List<double> probes = [.. pipeline.Blocks.Select(b => b.Probe)];
        probes.Sort();
        double fastest = probes[probes.Count / 50];
        double threshold = 1.2 * fastest;
        (List<double> fast, List<double> slow) = Split(pipeline.Blocks, threshold);
        (List<double> fastEnds, List<double> slowEnds) = Split(pipeline.Ends, threshold);
        Console.WriteLine($"core-speed probe between blocks (64 cached packets decoded 4 times): 2nd percentile {fastest:F1} ns, median {probes[probes.Count / 2]:F1}; full speed taken as <= {threshold:F1} on both sides of a block");
        Console.WriteLine($"decode + flow, wall ns/packet per block of ~930 packets: at full speed {Median(fast)} in {fast.Count:N0} of {pipeline.Blocks.Count:N0} blocks; slowed {Median(slow)} in {slow.Count:N0}");
        double flowsPerPacket = capture.FlowCount / (double)capture.PacketCount;
        Console.WriteLine($"ending and logging a flow, wall ns per flow by 1,024 flows: at full speed {Median(fastEnds)} in {fastEnds.Count:N0} of {pipeline.Ends.Count:N0} spans; slowed {Median(slowEnds)} in {slowEnds.Count:N0} ({flowsPerPacket:F3} flows per packet)");
        if (fast.Count > 0 && fastEnds.Count > 0)
        {
            double ends = fastEnds[fastEnds.Count / 2] * flowsPerPacket;
            Console.WriteLine($"at full speed: decode + flow {fast[fast.Count / 2]:F1} + ending and logging {ends:F1} = {fast[fast.Count / 2] + ends:F1} ns/packet (medians)");
        }
    }

    private static (List<double> Fast, List<double> Slow) Split(IReadOnlyList<ProbedSpan> spans, double threshold)
    {
        List<double> fast = [.. spans.Where(s => s.Probe <= threshold).Select(s => s.NsPerItem)];
        List<double> slow = [.. spans.Where(s => s.Probe > threshold).Select(s => s.NsPerItem)];
        fast.Sort();
        slow.Sort();
        return (fast, slow);
    }

    private static string Median(List<double> sorted) => sorted.Count == 0 ? "-" : sorted[sorted.Count / 2].ToString("F1", CultureInfo.InvariantCulture);

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

    private static double TouchOnly(GeneratedCapture capture)
    {
        long sum = 0;
        double best = double.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            long start = ThreadCpuClock.Nanoseconds();
            foreach (GeneratedCapture.Block block in capture.Blocks)
            {
                sum += TouchBlock(block);
            }

            best = Math.Min(best, (ThreadCpuClock.Nanoseconds() - start) / (double)capture.PacketCount);
        }

        // Kept, so the reads cannot be optimised away.
        s_touched = sum;
        return best;
    }

    /// <summary>The worker's packet-data prefetch (16 packets ahead, two lines), so loops here pay what it pays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchAhead(ReadOnlySpan<byte> buffer, ReadOnlySpan<Capture.Abstractions.PacketRecord> records, int i)
    {
        if (Sse.IsSupported && i + 16 < records.Length)
        {
            int ahead = records[i + 16].Offset;
            Sse.PrefetchNonTemporal(Unsafe.AsPointer(ref Unsafe.AsRef(in buffer[ahead])));
            if (ahead + 64 < buffer.Length)
            {
                Sse.PrefetchNonTemporal(Unsafe.AsPointer(ref Unsafe.AsRef(in buffer[ahead + 64])));
            }
        }
    }

    private static long TouchBlock(GeneratedCapture.Block block)
    {
        ReadOnlySpan<byte> buffer = block.Buffer;
        ReadOnlySpan<Capture.Abstractions.PacketRecord> records = block.Packets;
        long sum = 0;
        for (int i = 0; i < records.Length; i++)
        {
            PrefetchAhead(buffer, records, i);

            int offset = records[i].Offset;
            sum += buffer[offset + 12] + buffer[offset + 47];
        }

        return sum;
    }

    private static double FormatOnly(int records)
    {
        FlowLineSink sink = new();
        FlowEndEvent flowEnd = SampleFlowEnd();
        double best = BestFormatPass(sink, [flowEnd], records);

        // The hand-assembled line must be what a JSON writer produces for the same record.
        System.Buffers.ArrayBufferWriter<byte> expected = new();
        using (System.Text.Json.Utf8JsonWriter json = new(expected))
        {
            json.WriteStartObject();
            json.WriteNumber("flow_id", flowEnd.FlowId);
            json.WriteString("event_type", "flow");
            json.WriteNumber("src_port", flowEnd.Tuple.SourcePort);
            json.WriteNumber("dest_port", flowEnd.Tuple.DestinationPort);
            json.WriteNumber("proto", flowEnd.Tuple.Protocol);
            json.WriteStartObject("flow");
            json.WriteNumber("pkts_toserver", flowEnd.PacketsToServer);
            json.WriteNumber("pkts_toclient", flowEnd.PacketsToClient);
            json.WriteNumber("bytes_toserver", flowEnd.BytesToServer);
            json.WriteNumber("bytes_toclient", flowEnd.BytesToClient);
            json.WriteNumber("start", flowEnd.StartNanoseconds);
            json.WriteNumber("end", flowEnd.EndNanoseconds);
            json.WriteString("state", flowEnd.StateName);
            json.WriteString("reason", flowEnd.ReasonName);
            json.WriteBoolean("alerted", flowEnd.Alerted);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        if (!sink.LastLine.SequenceEqual(expected.WrittenSpan))
        {
            throw new InvalidOperationException($"the sink wrote {System.Text.Encoding.UTF8.GetString(sink.LastLine)}, a JSON writer {System.Text.Encoding.UTF8.GetString(expected.WrittenSpan)}");
        }

        return best;
    }

    /// <summary>
    /// The full line over 4,096 different events shaped like the generated flows (addresses,
    /// ports, counts, flags, and times rising over 6 s as the ended flows' times do), so that
    /// branches on digits and lengths cost what they cost in the pipeline. Best of 40 passes.
    /// </summary>
    private static double FormatEveOnly(int records)
    {
        EveLineSink sink = new();
        Random random = new(3);
        FlowEndEvent[] events = new FlowEndEvent[4096];
        FlowEndEvent sample = SampleFlowEnd();
        for (int i = 0; i < events.Length; i++)
        {
            // Flows end in slot order, which is creation order: times rise across the 6 s of capture.
            long start = sample.StartNanoseconds + (i * 1_464_843L) + random.NextInt64(1_000_000);
            events[i] = sample with
            {
                FlowId = random.NextInt64() >> 12,
                Tuple = new FlowTuple(false, FlowAddress.FromBytes([10, 0, (byte)random.Next(256), (byte)random.Next(256)]), FlowAddress.FromBytes([192, 168, 0, (byte)random.Next(3)]), (ushort)random.Next(1024, 61024), random.Next(5) == 0 ? (ushort)53 : (ushort)443, random.Next(5) == 0 ? (byte)17 : (byte)6, 0, 0, 0, 0),
                StartNanoseconds = start,
                EndNanoseconds = start + random.NextInt64(100_000_000),
                PacketsToServer = random.Next(1, 10),
                PacketsToClient = random.Next(1, 10),
                BytesToServer = random.Next(60, 6000),
                BytesToClient = random.Next(60, 6000),
                TcpFlagsToServer = (byte)random.Next(256),
                TcpFlagsToClient = (byte)random.Next(256),
            };
        }

        double best = BestFormatPass(sink, events, records);

        if (sink.LastLength < 400)
        {
            throw new InvalidOperationException($"the EVE flow line has {sink.LastLength} bytes, not a full record");
        }

        return best;
    }

    private static FlowEndEvent SampleFlowEnd() => new()
    {
        FlowId = 0x1234_5678_9ABC,
        Tuple = new FlowTuple(false, FlowAddress.FromBytes([10, 0, 0, 1]), FlowAddress.FromBytes([192, 168, 0, 1]), 40000, 443, 6, 0, 0, 0, 0),
        VlanCount = 0,
        InterfaceName = "generated",
        StartNanoseconds = 1_700_000_000_000_000_000,
        EndNanoseconds = 1_700_000_005_000_000_000,
        PacketsToServer = 6,
        PacketsToClient = 4,
        BytesToServer = 1800,
        BytesToClient = 900,
        BypassedPacketsToServer = 0,
        BypassedPacketsToClient = 0,
        BypassedBytesToServer = 0,
        BypassedBytesToClient = 0,
        State = FlowState.Closed,
        Reason = FlowEndReason.Shutdown,
        Bypass = BypassKind.None,
        HasBypassCounters = false,
        TcpFlagsToServer = 0x1B,
        TcpFlagsToClient = 0x1B,
        SourceMac = 0x0200_0000_0001,
        DestinationMac = 0x0200_0000_0002,
        TunnelParentFlowId = 0,
        Alerted = false,
    };

    /// <summary>
    /// Formats <paramref name="records"/> events per pass, cycling through <paramref name="events"/>
    /// (a power-of-two count, so the cycling is a mask); passes apart in time, so tiered compilation
    /// has finished the sink's code; the best of 40 passes counts.
    /// </summary>
    private static double BestFormatPass(IFlowEventSink sink, FlowEndEvent[] events, int records)
    {
        if (!BitOperations.IsPow2(events.Length))
        {
            throw new ArgumentException($"{events.Length} events: the count must be a power of two", nameof(events));
        }

        double best = double.MaxValue;
        for (int pass = 0; pass < 40; pass++)
        {
            if (pass < 3)
            {
                Thread.Sleep(200);
            }

            long start = ThreadCpuClock.Nanoseconds();
            for (int i = 0; i < records; i++)
            {
                sink.OnFlowEnd(in events[i & (events.Length - 1)]);
            }

            best = Math.Min(best, (ThreadCpuClock.Nanoseconds() - start) / (double)records);
        }

        return best;
    }

    private static void DecodeBlock(PacketDecoder decoder, GeneratedCapture.Block block, ref DecodedPacket packet)
    {
        ReadOnlySpan<byte> buffer = block.Buffer;
        ReadOnlySpan<Capture.Abstractions.PacketRecord> records = block.Packets;
        for (int i = 0; i < records.Length; i++)
        {
            PrefetchAhead(buffer, records, i);

            ref readonly Capture.Abstractions.PacketRecord record = ref records[i];
            decoder.Decode(buffer.Slice(record.Offset, record.CaptureLength), in record, ref packet, out _);
        }
    }

    /// <summary>
    /// One engine worker kept across rounds, as in a running engine (its table is touched once, in
    /// round 0), driven block by block through the engine's public <see cref="BatchWorker"/>. Each
    /// round ends with every flow ended and logged, and the capture's clock starting again.
    /// </summary>
    private sealed class Pipeline
    {
        private readonly GeneratedCapture _capture;
        // The index the table used to size for itself from the default memcap (about two buckets per
        // record it could hold), named now that hash-size is the index's size: figures stay comparable.
        private readonly FlowEngineOptions _options = new() { HashSize = 1 << 19 };
        private readonly Func<long> _logged;
        private readonly FlowEndQueue? _queue;
        private readonly BatchWorker _worker;
        private readonly CoreSpeedProbe _probe;
        private readonly List<ProbedSpan> _blocks;
        private readonly ProbingFlowSink _probingSink;

        public Pipeline(GeneratedCapture capture, int rounds)
        {
            _capture = capture;
            _probe = new CoreSpeedProbe(capture);

            // Sized up front: the timed loop must show the engine's allocations, none of the harness's.
            _blocks = new List<ProbedSpan>(rounds * capture.Blocks.Count);
            IFlowEventSink sink;
            if (Logging == "eve")
            {
                EveLineSink eve = new();
                (sink, _logged) = (eve, () => eve.Flows);
            }
            else if (Logging == "eve-queue")
            {
                // As the sample host writes flows: the worker queues each end, an output thread formats it.
                _queue = new FlowEndQueue(new EveLineSink());
                (sink, _logged) = (_queue, () => _queue.Delivered);
            }
            else
            {
                FlowLineSink bench = new() { Enabled = Logging != "no-log" };
                (sink, _logged) = (bench, () => bench.Flows);
            }

            // Flows end through the probing sink, which times them in pieces (one more call per flow).
            _probingSink = new ProbingFlowSink(sink, _probe, rounds * ((capture.FlowCount / 1024) + 2));
            _worker = new BatchWorker(capture.InterfaceName, _options, _probingSink);
        }

        /// <summary>Counted rounds' blocks: wall ns per packet, and the slower of the probes on either side.</summary>
        public IReadOnlyList<ProbedSpan> Blocks => _blocks;

        /// <summary>Counted rounds' flow ends (every flow, at the round's end), by 1,024 flows: wall ns per flow, and the probes around them.</summary>
        public IReadOnlyList<ProbedSpan> Ends => _probingSink.Spans;

        public (double NsPerPacket, double CpuNsPerPacket, long Allocated, long Logged) RunOnce(bool counted)
        {
            GeneratedCapture capture = _capture;
            BatchWorker worker = _worker;
            long packetsBefore = worker.DecoderCounters.Packets;
            long flowsBefore = worker.FlowsCreated;
            long loggedBefore = _logged();
            GC.Collect();
            GC.WaitForPendingFinalizers();

            CoreSpeedProbe probe = _probe;
            long probeTicksBefore = probe.Ticks;
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long cpuStart = ThreadCpuClock.Nanoseconds();
            long start = Stopwatch.GetTimestamp();
            probe.Open();
            for (int i = 0; i < capture.Blocks.Count; i++)
            {
                GeneratedCapture.Block block = capture.Blocks[i];
                long blockStart = Stopwatch.GetTimestamp();
                worker.Process(block);
                ProbedSpan span = probe.Close(blockStart, block.Count);
                if (counted)
                {
                    _blocks.Add(span);
                }
            }

            long endCpu = ThreadCpuClock.Nanoseconds();
            long endProbeTicks = probe.Ticks;
            if (counted)
            {
                _probingSink.Begin();
            }

            worker.EndAll();
            _probingSink.End();
            EndShare = (ThreadCpuClock.Nanoseconds() - endCpu - Stopwatch.GetElapsedTime(0, probe.Ticks - endProbeTicks).TotalNanoseconds) / capture.PacketCount;

            // The probes' own time is not the pipeline's (about 6 ms of a round).
            double probeNs = Stopwatch.GetElapsedTime(0, probe.Ticks - probeTicksBefore).TotalNanoseconds;
            double elapsedNs = Stopwatch.GetElapsedTime(start).TotalNanoseconds - probeNs;
            double cpuNs = ThreadCpuClock.Nanoseconds() - cpuStart - probeNs;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            long packets = worker.DecoderCounters.Packets - packetsBefore;
            long flows = worker.FlowsCreated - flowsBefore;
            if (packets != capture.PacketCount || flows < capture.FlowCount)
            {
                throw new InvalidOperationException($"decoded {packets} of {capture.PacketCount} packets, {flows} flows of {capture.FlowCount}");
            }

            if (_queue is not null)
            {
                // Not timed: the output thread finishes the round's lines before the next round starts.
                long expected = loggedBefore + flows;
                SpinWait.SpinUntil(() => _queue.Delivered >= expected);
            }

            return (elapsedNs / capture.PacketCount, cpuNs / capture.PacketCount, allocated, _logged() - loggedBefore);
        }
    }
}
