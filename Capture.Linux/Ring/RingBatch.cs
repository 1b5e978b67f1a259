using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>
/// A ring block handed to the engine as a batch: the buffer is the mmap'd block itself (no copy),
/// the records point into it. One object per block of a ring, reused every time the block comes round.
/// </summary>
internal sealed class RingBatch : CaptureBatch
{
    private readonly PacketRing _ring;
    private readonly int _block;
    private readonly ICaptureSource _source;
    private PacketRecord[] _records = new PacketRecord[256];
    private int _count;
    private int _released = 1;

    public RingBatch(PacketRing ring, int block, ICaptureSource source)
    {
        _ring = ring;
        _block = block;
        _source = source;
    }

    public override ReadOnlySpan<PacketRecord> Packets => _records.AsSpan(0, _count);

    public override ReadOnlySpan<byte> Buffer => _ring.BlockSpan(_block);

    public override ICaptureSource Source => _source;

    /// <summary>Room for <paramref name="count"/> records; grows rarely (a block of tiny packets), never shrinks.</summary>
    public Span<PacketRecord> Prepare(int count)
    {
        if (_records.Length < count)
        {
            _records = new PacketRecord[Math.Max(count, _records.Length * 2)];
        }

        return _records;
    }

    /// <summary>Marks the batch as handed out with <paramref name="count"/> records.</summary>
    public void HandOut(int count)
    {
        _count = count;
        Volatile.Write(ref _released, 0);
    }

    public override void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            throw new InvalidOperationException($"batch of block {_block} of {_source.Name} was released twice");
        }

        _count = 0;
        _ring.ReturnBlock(_block);
    }
}
