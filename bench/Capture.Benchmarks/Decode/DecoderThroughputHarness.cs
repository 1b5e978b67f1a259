using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;

namespace Capture.Benchmarks.Decode;

/// <summary>
/// A Stopwatch harness beside <see cref="DecoderBenchmarks"/>: decodes the typical packet and the
/// shared captures many times and prints nanoseconds per packet by the wall clock AND by the
/// thread's CPU clock (the figure that survives a machine shared with other work), plus bytes
/// allocated per packet. Run: <c>dotnet run -c Release --project bench/Capture.Benchmarks -- run decoder-throughput [passes]</c>.
/// </summary>
internal sealed class DecoderThroughputHarness : IBenchmarkHarness
{
    /// <summary>The harness's command-line name.</summary>
    public const string HarnessName = "decoder-throughput";

    /// <inheritdoc />
    public string Name => HarnessName;

    /// <inheritdoc />
    public string Description => "packet decoder ns/packet by thread CPU clock and wall clock: typical packet and the shared captures";

    private const int Batch = 16384;

    /// <summary>Runs the measurement; argument: passes over the captures (default 20).</summary>
    /// <param name="args">Optional pass count.</param>
    /// <returns>0.</returns>
    public int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int passes = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
        BenchCaptureSet captures = BenchCaptureSet.Load();
        var counters = new DecoderCounters();
        var decoder = new PacketDecoder(counters, new DecoderOptions(), new DefragOptions());
        byte[] typical = DecoderBenchmarks.TypicalPacket();
        var typicalRecord = new PacketRecord { CaptureLength = typical.Length, OriginalLength = typical.Length, LinkType = LinkType.Ethernet };
        DecodedPacket packet = default;

        // Warm up to tier-1 code: per-batch methods, called many times.
        for (int i = 0; i < 200; i++)
        {
            DecodeSame(decoder, typical, in typicalRecord, ref packet, Batch);
            DecodeRange(decoder, captures, 0, Math.Min(Batch, captures.Records.Length), ref packet);
        }

        // One whole pass first: the defragmenter's trackers and buffers reach their steady state.
        for (int start = 0; start < captures.Records.Length; start += Batch)
        {
            DecodeRange(decoder, captures, start, Math.Min(start + Batch, captures.Records.Length), ref packet);
        }

        decoder.ExpireFragments(long.MaxValue / 2);
        PrintFastPathShare(captures);

        // Calibration: a chain of dependent additions costs one cycle each, so this shows the clock
        // the thread really got (a loaded or throttled machine shows as a low "GHz").
        long calibrationCpu = ThreadCpuClock.Nanoseconds();
        long chain = DependentAdds(500_000_000);
        double ghz = 500_000_000 / (double)(ThreadCpuClock.Nanoseconds() - calibrationCpu);
        Console.WriteLine($"{HarnessName}: calibration: {ghz:F2} dependent adds per CPU-ns (~GHz) [{chain & 1}]");

        // Many short rounds: the fastest (and the median) round shows the decoder's own cost, the
        // slower ones what other work on the machine took from it.
        long typicalCount = (long)Batch * 1000;
        Measure("typical Eth/IPv4/TCP (166 B)", typicalCount, 50, () =>
        {
            DecodedPacket p = default;
            for (int i = 0; i < 20; i++)
            {
                DecodeSame(decoder, typical, in typicalRecord, ref p, Batch);
            }
        });

        long mixedCount = (long)captures.Records.Length * passes;
        Measure($"mixed shared captures ({captures.Records.Length:N0} packets, {captures.Files} files)", mixedCount, passes, () =>
        {
            DecodedPacket p = default;
            for (int start = 0; start < captures.Records.Length; start += Batch)
            {
                DecodeRange(decoder, captures, start, Math.Min(start + Batch, captures.Records.Length), ref p);
            }

            decoder.ExpireFragments(long.MaxValue / 2);
        });
        return 0;
    }

    /// <summary>How many packets of the captures the decoder's straight-line path can take, and what the rest are.</summary>
    private static void PrintFastPathShare(BenchCaptureSet captures)
    {
        // Either path gives the same result (FastPathEquivalenceTests), so the default decoder classifies them.
        var decoder = new PacketDecoder(new DecoderCounters());
        DecodedPacket packet = default;
        int fast = 0;
        var others = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (PacketRecord record in captures.Records)
        {
            DecodeResult result = decoder.Decode(captures.Buffer.AsSpan(record.Offset, record.CaptureLength), in record, ref packet, out _);
            PacketLayer first = packet.Layers[0];
            bool eligible = record.LinkType == LinkType.Ethernet && result == DecodeResult.Ok && packet.LayerCount == 1 && packet.Layers[0].VlanCount <= 1
                && first.Protocol is 6 or 17 && (first.Flags & (PacketLayerFlags.Fragment | PacketLayerFlags.Reassembled)) == 0;
            if (eligible)
            {
                fast++;
                continue;
            }

            string kind = $"{record.LinkType}/{(packet.LayerCount == 0 ? $"ethertype 0x{packet.EtherType:x4}" : $"{packet.LayerCount} layers, proto {packet.Layers[packet.LayerCount - 1].Protocol}")}/{result}";
            others[kind] = others.GetValueOrDefault(kind) + 1;
        }

        Console.WriteLine($"{HarnessName}: fast-path-shaped packets (Ethernet, <= 1 VLAN, IPv4/IPv6 -> TCP/UDP, no event): {fast:N0} of {captures.Records.Length:N0} ({100.0 * fast / captures.Records.Length:F1}%); most common others: " +
            string.Join(", ", others.OrderByDescending(o => o.Value).Take(6).Select(o => $"{o.Key} {o.Value:N0}")));
    }

    private static void Measure(string what, long packets, int rounds, Action round)
    {
        long perRound = packets / rounds;
        var cpu = new double[rounds];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long wall = Stopwatch.GetTimestamp();
        for (int r = 0; r < rounds; r++)
        {
            long before = ThreadCpuClock.Nanoseconds();
            round();
            cpu[r] = (ThreadCpuClock.Nanoseconds() - before) / (double)perRound;
        }

        double wallNs = Stopwatch.GetElapsedTime(wall).TotalNanoseconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Array.Sort(cpu);
        Console.WriteLine($"{HarnessName}: {what}: CPU ns/packet min {cpu[0]:F1}, median {cpu[rounds / 2]:F1}, mean {cpu.Average():F1}; " +
            $"wall {wallNs / packets:F1} ns/packet; {allocated / (double)packets:F4} B/packet allocated ({allocated} B over {packets:N0} packets, {rounds} rounds)");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long DependentAdds(long count)
    {
        long x = 1;
        for (long i = 0; i < count; i++)
        {
            x = x * 3 + i;
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DecodeSame(PacketDecoder decoder, byte[] frame, in PacketRecord record, ref DecodedPacket packet, int count)
    {
        for (int i = 0; i < count; i++)
        {
            decoder.Decode(frame, in record, ref packet, out _);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DecodeRange(PacketDecoder decoder, BenchCaptureSet captures, int start, int end, ref DecodedPacket packet)
    {
        PacketRecord[] records = captures.Records;
        byte[] buffer = captures.Buffer;
        for (int i = start; i < end; i++)
        {
            // As a capture worker would: start loading a packet a few records ahead (the captures are
            // ~30 MB, so a packet's first line is otherwise a DRAM miss; see performance-facts.md).
            if (i + PrefetchDistance < end)
            {
                Prefetch(buffer, records[i + PrefetchDistance].Offset);
            }

            ref readonly PacketRecord record = ref records[i];
            decoder.Decode(buffer.AsSpan(record.Offset, record.CaptureLength), in record, ref packet, out _);
        }
    }

    /// <summary>Records ahead whose data is prefetched.</summary>
    internal const int PrefetchDistance = 6;

    /// <summary>Prefetches the first two cache lines at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(byte[] buffer, int offset)
    {
        if (Sse.IsSupported && (uint)offset < (uint)buffer.Length)
        {
            fixed (byte* p = &buffer[offset])
            {
                Sse.Prefetch0(p);
                Sse.Prefetch0(p + 64);
            }
        }
    }
}
