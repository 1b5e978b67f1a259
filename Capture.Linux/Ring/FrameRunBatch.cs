using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>
/// A run of consecutive TPACKET_V2 frames handed to the engine as a batch: the buffer is the whole
/// mmap'd ring (no copy), the records point into it. One object per frame a run can start at,
/// made when first needed and reused; the records live in the ring's shared array at the run's
/// frames, which no other batch holds while this one is out.
/// </summary>
internal sealed class FrameRunBatch : CaptureBatch
{
    private readonly PacketRing _ring;
    private readonly int _first;
    private readonly PacketRecord[] _records;
    private readonly ICaptureSource _source;
    private int _frames;
    private int _count;
    private int _released = 1;

    public FrameRunBatch(PacketRing ring, int first, PacketRecord[] records, ICaptureSource source)
    {
        _ring = ring;
        _first = first;
        _records = records;
        _source = source;
    }

    public override ReadOnlySpan<PacketRecord> Packets => _records.AsSpan(_first, _count);

    public override unsafe ReadOnlySpan<byte> Buffer => new(_ring.Base, (int)_ring.Options.RingBytes);

    public override ICaptureSource Source => _source;

    /// <summary>Where the records of a run of <paramref name="frames"/> frames go.</summary>
    public Span<PacketRecord> Prepare(int frames) => _records.AsSpan(_first, frames);

    /// <summary>Marks the batch as handed out: <paramref name="frames"/> frames, <paramref name="count"/> records.</summary>
    public void HandOut(int frames, int count)
    {
        _frames = frames;
        _count = count;
        Volatile.Write(ref _released, 0);
    }

    public override void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            throw new InvalidOperationException($"batch of frames {_first}.. of {_source.Name} was released twice");
        }

        _count = 0;
        _ring.ReturnFrames(_first, _frames);
    }
}
