using BenchmarkDotNet.Attributes;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;

namespace Capture.Benchmarks.Decode;

/// <summary>
/// Packet decoder cost, single thread, packets in memory: one typical Ethernet/IPv4/TCP packet
/// (target 20 ns), and every packet of the shared captures in turn (target 40 ns on average);
/// both must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    /// <summary>Decodes per invocation of <see cref="MixedSharedCaptures"/>.</summary>
    public const int MixedBatch = 65536;

    private PacketDecoder _decoder = null!;
    private DecodedPacket _packet;
    private byte[] _typical = [];
    private PacketRecord _typicalRecord;
    private BenchCaptureSet _mixed = null!;
    private int _next;

    /// <summary>Builds the decoder, the typical packet and loads the captures.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var counters = new DecoderCounters();
        _decoder = new PacketDecoder(counters, new DecoderOptions(), new DefragOptions());
        _typical = TypicalPacket();
        _typicalRecord = new PacketRecord { CaptureLength = _typical.Length, OriginalLength = _typical.Length, LinkType = LinkType.Ethernet };
        _mixed = BenchCaptureSet.Load();
    }

    /// <summary>Decodes per invocation of <see cref="TypicalEthernetIPv4Tcp"/>.</summary>
    public const int TypicalBatch = 4096;

    /// <summary>A 166-byte Ethernet/IPv4/TCP data segment with timestamps, per packet.</summary>
    [Benchmark(OperationsPerInvoke = TypicalBatch)]
    public int TypicalEthernetIPv4Tcp()
    {
        int ok = 0;
        for (int i = 0; i < TypicalBatch; i++)
        {
            if (_decoder.Decode(_typical, in _typicalRecord, ref _packet, out _) == DecodeResult.Ok)
            {
                ok++;
            }
        }

        return ok;
    }

    /// <summary>The shared captures, packet after packet (reassembly included, data prefetched a few packets ahead), per packet.</summary>
    [Benchmark(OperationsPerInvoke = MixedBatch)]
    public int MixedSharedCaptures()
    {
        PacketRecord[] records = _mixed.Records;
        byte[] buffer = _mixed.Buffer;
        int next = _next;
        int ok = 0;
        for (int i = 0; i < MixedBatch; i++)
        {
            int ahead = next + DecoderThroughputHarness.PrefetchDistance;
            DecoderThroughputHarness.Prefetch(buffer, records[ahead < records.Length ? ahead : ahead - records.Length].Offset);
            ref readonly PacketRecord record = ref records[next];
            if (_decoder.Decode(buffer.AsSpan(record.Offset, record.CaptureLength), in record, ref _packet, out _) == DecodeResult.Ok)
            {
                ok++;
            }

            if (++next == records.Length)
            {
                // One pass done: the next pass replays the same times, so forget incomplete datagrams.
                next = 0;
                _decoder.ExpireFragments(long.MaxValue / 2);
            }
        }

        _next = next;
        return ok;
    }

    internal static byte[] TypicalPacket()
    {
        byte[] frame = new byte[14 + 20 + 32 + 100];
        byte[] header =
        [
            0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00,
            0x45, 0x00, 0x00, 152, 0x12, 0x34, 0x40, 0x00, 64, 6, 0, 0, 10, 0, 0, 1, 192, 168, 1, 2,
            0x9C, 0x40, 0x01, 0xBB, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0x80, 0x18, 0x01, 0xF5, 0, 0, 0, 0,
            1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
        ];
        header.CopyTo(frame, 0);
        return frame;
    }
}
