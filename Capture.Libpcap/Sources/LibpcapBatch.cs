using System.Diagnostics;
using Capture.Abstractions;

namespace Capture.Libpcap.Sources;

/// <summary>
/// A pooled batch: packets are copied out of libpcap's ring (whose slot the next read reuses) into
/// one buffer with an array of records. The engine releases batches in any order; each goes back
/// to its pool.
/// </summary>
internal sealed class LibpcapBatch : CaptureBatch
{
    private readonly LibpcapBatchPool _pool;
    private readonly PacketRecord[] _records;
    private readonly byte[] _buffer;
    private int _count;
    private int _used;
    private long _wireBytes;
    private int _leased;

    public LibpcapBatch(LibpcapBatchPool pool, int packets, int bytes)
    {
        _pool = pool;
        _records = new PacketRecord[packets];
        _buffer = GC.AllocateUninitializedArray<byte>(bytes);
    }

    /// <inheritdoc />
    public override ReadOnlySpan<PacketRecord> Packets => new(_records, 0, _count);

    /// <inheritdoc />
    public override ReadOnlySpan<byte> Buffer => new(_buffer, 0, _used);

    /// <inheritdoc />
    public override ICaptureSource Source => _pool.Source;

    /// <summary>Packets in the batch.</summary>
    public int Count => _count;

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Copies a packet in; false when the batch has no room for it (records or bytes).</summary>
    /// <param name="timestampNanoseconds">Capture time.</param>
    /// <param name="originalLength">Bytes on the wire.</param>
    /// <param name="linkType">The handle's link type.</param>
    /// <param name="flags">Flags to set (truncation is added here).</param>
    /// <param name="data">The captured bytes.</param>
    /// <returns>True when added.</returns>
    public bool TryAdd(long timestampNanoseconds, int originalLength, LinkType linkType, PacketFlags flags, ReadOnlySpan<byte> data)
    {
        if (_count == _records.Length || _buffer.Length - _used < data.Length)
        {
            return false;
        }

        data.CopyTo(_buffer.AsSpan(_used));
        _records[_count++] = new PacketRecord
        {
            TimestampNanoseconds = timestampNanoseconds,
            Offset = _used,
            CaptureLength = data.Length,
            OriginalLength = originalLength,
            LinkType = linkType,
            Flags = data.Length < originalLength ? flags | PacketFlags.Truncated : flags,
        };
        _used += data.Length;
        _wireBytes += originalLength;
        return true;
    }

    /// <summary>Marks the batch handed to the engine.</summary>
    public void MarkLeased()
    {
        Debug.Assert(_count > 0, "only batches with packets are delivered");
        Volatile.Write(ref _leased, 1);
    }

    /// <summary>Empties the batch.</summary>
    public void Reset()
    {
        _count = 0;
        _used = 0;
        _wireBytes = 0;
    }

    /// <inheritdoc />
    public override void Release()
    {
        if (Interlocked.Exchange(ref _leased, 0) != 1)
        {
            throw new InvalidOperationException($"a batch of {_pool.Source.Name} was released twice (or never delivered)");
        }

        Reset();
        _pool.Return(this);
    }
}
