using Capture.Abstractions;

namespace Capture.TestPlugin;

/// <summary>A pooled batch: fixed buffers reused after each release.</summary>
internal sealed class SyntheticBatch(SyntheticCaptureSource source, int capacity) : CaptureBatch
{
    private readonly byte[] _buffer = new byte[capacity * SyntheticFrames.FrameLength];
    private readonly PacketRecord[] _records = new PacketRecord[capacity];
    private int _count;
    private int _released;

    public override ReadOnlySpan<PacketRecord> Packets => _records.AsSpan(0, _count);

    public override ReadOnlySpan<byte> Buffer => _buffer;

    public override ICaptureSource Source => source;

    public void Fill(long firstIndex, int count)
    {
        _count = count;
        _released = 0;
        for (int i = 0; i < count; i++)
        {
            long index = firstIndex + i;
            int offset = i * SyntheticFrames.FrameLength;
            SyntheticFrames.Write(index, _buffer.AsSpan(offset));
            _records[i] = new PacketRecord
            {
                TimestampNanoseconds = 1_700_000_000_000_000_000L + (index * 1_000_000L),
                Offset = offset,
                CaptureLength = SyntheticFrames.FrameLength,
                OriginalLength = SyntheticFrames.FrameLength,
                LinkType = LinkType.Ethernet,
            };
        }
    }

    public override void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            throw new InvalidOperationException("batch released twice");
        }

        source.Return(this);
    }
}
