using System.Diagnostics;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// How fast the core runs at this moment, read with a fixed piece of the engine's own work: the
/// decoder over the capture's first 64 packets (~17 KiB, in cache), four times (~4 us).
/// <para>
/// Why: this host's vCPU alternates, every few milliseconds, between a full-speed state and one in
/// which the same cache-resident code takes ~1.6 times as long at the same clock: the physical
/// core's other hardware thread is busy with another tenant's work (bench/host/core-share.c). A round
/// of the pipeline lasts ~110 ms and mixes both states, so its figure says more about the host than
/// about the code. Probed between blocks, each block's cost can be read with the state it ran in.
/// </para>
/// </summary>
internal sealed class CoreSpeedProbe
{
    private const int Packets = 64;
    private const int Repeats = 4;

    private readonly GeneratedCapture.Block _block;
    private readonly PacketDecoder _decoder = new(new DecoderCounters());
    private DecodedPacket _packet;

    private double _last;

    public CoreSpeedProbe(GeneratedCapture capture) => _block = capture.Blocks[0];

    /// <summary>Stopwatch ticks spent probing, to take out of the round's time.</summary>
    public long Ticks { get; private set; }

    /// <summary>Probes before the first of a run of timed spans.</summary>
    public void Open() => _last = Measure();

    /// <summary>
    /// Ends a span started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/>
    /// timestamp taken after the previous probe) over <paramref name="items"/> packets or flows,
    /// probes, and pairs the span with the slower of the probes on its two sides.
    /// </summary>
    public ProbedSpan Close(long startTimestamp, int items)
    {
        double nanoseconds = Stopwatch.GetElapsedTime(startTimestamp).TotalNanoseconds;
        double before = _last;
        _last = Measure();
        return new ProbedSpan(nanoseconds / items, Math.Max(before, _last));
    }

    /// <summary>Nanoseconds per decoded packet, now (wall clock: too short a span for the thread CPU clock's resolution and cost).</summary>
    private double Measure()
    {
        ReadOnlySpan<byte> buffer = _block.Buffer;
        ReadOnlySpan<PacketRecord> records = _block.Packets;
        records = records[..Math.Min(Packets, records.Length)];
        long start = Stopwatch.GetTimestamp();
        for (int repeat = 0; repeat < Repeats; repeat++)
        {
            foreach (ref readonly PacketRecord record in records)
            {
                _decoder.Decode(buffer.Slice(record.Offset, record.CaptureLength), in record, ref _packet, out _);
            }
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        Ticks += elapsed;
        return Stopwatch.GetElapsedTime(0, elapsed).TotalNanoseconds / (Repeats * records.Length);
    }
}
