using System.Diagnostics;
using System.Globalization;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using FlowEngine.Output;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// A full flow-manager pass over a 1M-slot table with 10k active flows (nothing due, so the pass is
/// pure scanning), with the active flows packed (as lowest-free allocation keeps them) or scattered
/// one per 100 slots (10k free clusters, the worst case): <c>run flows-manager-pass [slots] [active]</c>.
/// </summary>
internal sealed class FlowManagerPassHarness : IBenchmarkHarness
{
    private const long T0 = 1_700_000_000L * 1_000_000_000L;

    public string Name => "flows-manager-pass";

    public string Description => "flow-manager pass over 1M slots with 10k active flows (packed and scattered)";

    public int Run(string[] args)
    {
        int slots = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1 << 20;
        int active = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
        Measure("packed", slots, active, scattered: false);
        Measure("scattered", slots, active, scattered: true);
        return 0;
    }

    private static void Measure(string label, int slots, int active, bool scattered)
    {
        CountingSink sink = new();
        BatchWorker shard = new("bench", new FlowEngineOptions(), sink, maxFlows: slots);
        int total = scattered ? slots : active;
        int stride = Math.Max(1, slots / active);
        for (int i = 0; i < total; i++)
        {
            PacketLayer layer = Layer(i);
            // Flows that will be ended by the setup pass are last seen long ago.
            bool keep = !scattered || i % stride == 0;
            shard.Track(in layer, keep ? T0 + 1_000_000_000_000L : T0, 64);
        }

        if (scattered)
        {
            shard.RunManagerPass(T0 + 400_000_000_000L);
        }

        long now = T0 + 1_000_000_000_000L + 1_000_000_000L;

        // Warm-up, with pauses for the background JIT: 200 passes take ~0.1 s, too short for tiered
        // compilation to replace the first code, so without this the first layout measured ran on
        // tier-0 code (~620 us) and the second on optimised code (~150 us).
        for (int warm = 0; warm < 3; warm++)
        {
            for (int i = 0; i < 100; i++)
            {
                shard.RunManagerPass(now);
            }

            Thread.Sleep(300);
        }

        List<double> micros = [];
        for (int i = 0; i < 200; i++)
        {
            long start = Stopwatch.GetTimestamp();
            shard.RunManagerPass(now);
            micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        micros.Sort();
        Console.WriteLine($"{label}: {slots:N0} slots, {shard.ActiveFlows:N0} active, {shard.FreeClusters:N0} free clusters: pass median {micros[micros.Count / 2]:F0} us, best {micros[0]:F0} us, p90 {micros[micros.Count * 9 / 10]:F0} us");
    }

    private static PacketLayer Layer(int i) => new()
    {
        Source = Address(0x0A000000u | (uint)i),
        Destination = Address(0xC0A80001u),
        SourcePort = (ushort)(1024 + (i & 0x7FFF)),
        DestinationPort = 53,
        Protocol = 17,
        Flags = PacketLayerFlags.HasFlowKey,
    };

    private static Capture.Abstractions.FlowAddress Address(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return Capture.Abstractions.FlowAddress.FromBytes(b);
    }

    private sealed class CountingSink : IFlowEventSink
    {
        public long Count;

        public void OnFlowEnd(in FlowEndEvent flowEnd) => Count++;
    }
}
