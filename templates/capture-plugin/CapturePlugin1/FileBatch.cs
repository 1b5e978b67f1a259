using Capture.Abstractions;

namespace CapturePlugin1;

/// <summary>
/// A pooled batch: fixed buffers the source fills again after the consumer releases it. Packets
/// stay valid until <see cref="Release"/>, in any order among the source's batches.
/// </summary>
internal sealed class FileBatch(FileCaptureSource source, int capacity, int bufferBytes) : CaptureBatch
{
    private readonly byte[] _buffer = new byte[bufferBytes];
    private readonly PacketRecord[] _records = new PacketRecord[capacity];
    private int _count;
    private int _used;
    private int _released;

    public override ReadOnlySpan<PacketRecord> Packets => _records.AsSpan(0, _count);

    public override ReadOnlySpan<byte> Buffer => _buffer.AsSpan(0, _used);

    public override ICaptureSource Source => source;

    /// <summary>Packets in the batch.</summary>
    public int Count => _count;

    /// <summary>Empties the batch before it is filled again.</summary>
    public void Reset()
    {
        _count = 0;
        _used = 0;
        _released = 0;
    }

    /// <summary>Adds a packet's record and returns where its bytes go, when it fits.</summary>
    /// <param name="header">The packet's pcap record header.</param>
    /// <param name="linkType">The file's link type.</param>
    /// <param name="data">Where to read the packet's bytes to.</param>
    /// <returns>False when the batch is full (packets or bytes).</returns>
    public bool TryAppend(in PcapRecordHeader header, LinkType linkType, out Span<byte> data)
    {
        if (_count == _records.Length || header.CaptureLength > _buffer.Length - _used)
        {
            data = default;
            return false;
        }

        data = _buffer.AsSpan(_used, header.CaptureLength);
        _records[_count++] = new PacketRecord
        {
            TimestampNanoseconds = header.TimestampNanoseconds,
            Offset = _used,
            CaptureLength = header.CaptureLength,
            OriginalLength = header.OriginalLength,
            LinkType = linkType,
        };
        _used += header.CaptureLength;
        return true;
    }

    /// <summary>Takes back the last packet added (its bytes could not be read).</summary>
    public void RemoveLast()
    {
        _count--;
        _used = _records[_count].Offset;
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
