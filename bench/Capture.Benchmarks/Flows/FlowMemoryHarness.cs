using System.Globalization;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Output;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Memory per flow at 1M flows, measured: managed heap growth for a 1M-flow shard (records, hash
/// index, storage columns) filled with 1M flows: <c>run flows-memory [flows] [storage-slots]</c>.
/// </summary>
internal sealed class FlowMemoryHarness : IBenchmarkHarness
{
    public string Name => "flows-memory";

    public string Description => "bytes per flow at 1M flows (records + index + storage columns)";

    public int Run(string[] args)
    {
        int flows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        int columns = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        FlowEngineOptions options = new() { HashSize = 65536 };
        Sink sink = new();
        long before = Settle();
        // The engine's bypass_counters slot is one column; the others stand for detection's.
        FlowStorageRegistry storage = new();
        for (int c = 1; c < columns; c++)
        {
            storage.Register<object>($"bench.{c}");
        }

        BatchWorker shard = new("bench", options, sink, storage, maxFlows: flows);
        for (int i = 0; i < flows; i++)
        {
            PacketLayer layer = new()
            {
                Source = Address(0x0A000000u | (uint)i),
                Destination = Address(0xC0A80001u),
                SourcePort = (ushort)(1024 + (i & 0x7FFF)),
                DestinationPort = 443,
                Protocol = 6,
                TcpFlags = 0x02,
                Flags = PacketLayerFlags.HasFlowKey,
            };
            shard.Track(in layer, 1_700_000_000_000_000_000L, 64);
        }

        long after = Settle();
        GC.KeepAlive(shard);
        // Slots and records live in native memory: counted beside the heap's growth.
        long native = shard.TableNativeBytes;
        Console.WriteLine($"{shard.ActiveFlows:N0} flows, {columns} storage slots, {shard.BucketCount:N0} buckets: {(after - before + native) / (double)flows:F1} bytes per flow measured ({(after - before) / (double)flows:F1} managed heap + {native / (double)flows:F1} native; arrays: {shard.BytesPerFlow} bytes per record)");
        return 0;
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static Capture.Abstractions.FlowAddress Address(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return Capture.Abstractions.FlowAddress.FromBytes(b);
    }

    private sealed class Sink : IFlowEventSink
    {
        public void OnFlowEnd(in FlowEndEvent flowEnd)
        {
        }
    }
}
