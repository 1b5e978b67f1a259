using System.Diagnostics;
using Capture.Abstractions;
using Capture.Pcap.Files;

namespace Capture.Pcap.Sources;

/// <summary>
/// A pooled batch: an array of records and the bytes they refer to, in the buffer the file was
/// read into (held until the batch is released) or, when the batch's packets span two such
/// buffers, copied into a copy buffer the pool lends it until it is emptied. Released batches go
/// back to their pool, in any order.
/// </summary>
internal sealed class PcapBatch : CaptureBatch
{
    // The batch the engine works on in this thread: a worker takes a batch's buffer before it
    // processes the batch and runs its flow manager before it releases it (PacketWorker), so any
    // bypass call on a worker thread happens while that batch is held.
    [ThreadStatic]
    private static long t_engineBatch;

    private readonly ICaptureSource _source;
    private readonly PcapBatchPool _pool;
    private readonly PacketRecord[] _packets;
    private readonly int _bufferBytes;

    // The read buffer the packets are in, or null once they are copied into _buffer (the pool's, until the batch is emptied).
    private ReadChunk? _chunk;
    private byte[]? _buffer;
    private int _count;

    // Captured bytes of the packets (as if copied: the batch's room); in a read buffer, where the last one ends.
    private int _used;
    private int _chunkEnd;
    private long _wireBytes;
    private int _leased;

    public PcapBatch(ICaptureSource source, PcapBatchPool pool, int maxPackets, int bufferBytes)
    {
        _source = source;
        _pool = pool;
        _packets = new PacketRecord[maxPackets];
        _bufferBytes = bufferBytes;
    }

    /// <inheritdoc />
    public override ReadOnlySpan<PacketRecord> Packets => new(_packets, 0, _count);

    /// <summary>
    /// The sequence of the batch whose buffer this thread took last (0 when none): on a worker
    /// thread, the batch it holds while it calls the bypass strategy.
    /// </summary>
    public static long EngineBatchOnThisThread => t_engineBatch;

    /// <inheritdoc />
    public override ReadOnlySpan<byte> Buffer
    {
        get
        {
            t_engineBatch = Sequence;
            return _chunk is { } chunk ? new(chunk.Bytes, 0, _chunkEnd) : new(_buffer, 0, _used);
        }
    }

    /// <inheritdoc />
    public override ICaptureSource Source => _source;

    /// <summary>Packets in the batch.</summary>
    public int Count => _count;

    /// <summary>The batch's place in the capture's sequence of batches (1 for the first), 0 while in the pool.</summary>
    public long Sequence { get; set; }

    /// <summary>Whether a packet of <paramref name="length"/> captured bytes still fits.</summary>
    /// <param name="length">Captured bytes.</param>
    /// <returns>True when <see cref="TryAdd"/> would take it.</returns>
    public bool HasRoom(int length) => _count < _packets.Length && _bufferBytes - _used >= length;

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Adds a packet; false when the batch is full.</summary>
    /// <param name="record">The file's record.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flags">Flags to set.</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="number">The record's place in the files read (<see cref="PacketRecord.PacketNumber"/>).</param>
    /// <param name="chunk">
    /// The read buffer <paramref name="data"/> is in, which the batch holds instead of copying the
    /// packet (null: copy it).
    /// </param>
    /// <returns>True when added.</returns>
    public bool TryAdd(in FileRecord record, LinkType linkType, PacketFlags flags, ReadOnlySpan<byte> data, uint number, ReadChunk? chunk)
    {
        if (!HasRoom(data.Length))
        {
            return false;
        }

        int offset;
        if (!Copied && chunk is not null && (_chunk is null || _chunk == chunk) && chunk.Bytes.AsSpan().Overlaps(data, out offset))
        {
            if (_chunk is null)
            {
                chunk.Hold();
                _chunk = chunk;
            }

            _chunkEnd = Math.Max(_chunkEnd, offset + data.Length);
        }
        else
        {
            byte[] own = Copied ? _buffer! : CopyOut();
            offset = _used;
            data.CopyTo(own.AsSpan(offset));
        }

        ref PacketRecord packet = ref _packets[_count++];
        packet.TimestampNanoseconds = record.TimestampNanoseconds;
        packet.Offset = offset;
        packet.CaptureLength = data.Length;
        packet.OriginalLength = record.OriginalLength;
        packet.LinkType = linkType;
        packet.VlanTci = 0;
        packet.Flags = record.CaptureLength < record.OriginalLength ? flags | PacketFlags.Truncated : flags;
        packet.InterfaceId = record.InterfaceId;
        packet.PacketNumber = number;
        _used += data.Length;
        _wireBytes += record.OriginalLength;
        return true;
    }

    /// <summary>Marks the batch handed to the engine.</summary>
    public void MarkLeased() => Volatile.Write(ref _leased, 1);

    /// <summary>Empties the batch: it lets go of its read buffer, or gives its copy buffer back to the pool.</summary>
    public void Reset()
    {
        _count = 0;
        _used = 0;
        _wireBytes = 0;
        if (_chunk is { } chunk)
        {
            LetGo(chunk);
        }

        if (_buffer is { } buffer)
        {
            _buffer = null;
            _pool.ReturnCopyBuffer(buffer);
        }
    }

    /// <summary>Whether the packets are in the batch's own buffer: added, and in no read buffer.</summary>
    private bool Copied => _chunk is null && _count > 0;

    /// <summary>The batch no longer refers to the read buffer's bytes.</summary>
    private void LetGo(ReadChunk chunk)
    {
        _chunk = null;
        _chunkEnd = 0;
        chunk.LetGo();
    }

    /// <summary>
    /// Copies the packets added so far out of the read buffer into the batch's own (the next packet
    /// is in another buffer, or not in one), at the offsets copying them in would have given them.
    /// </summary>
    private byte[] CopyOut()
    {
        byte[] own = _buffer ??= _pool.TakeCopyBuffer(_bufferBytes);
        if (_chunk is not { } chunk)
        {
            return own;
        }

        int at = 0;
        for (int i = 0; i < _count; i++)
        {
            ref PacketRecord packet = ref _packets[i];
            chunk.Bytes.AsSpan(packet.Offset, packet.CaptureLength).CopyTo(own.AsSpan(at));
            packet.Offset = at;
            at += packet.CaptureLength;
        }

        Debug.Assert(at == _used, "the packets' bytes are the batch's room used");
        LetGo(chunk);
        return own;
    }

    /// <inheritdoc />
    public override void Release()
    {
        if (Interlocked.Exchange(ref _leased, 0) != 1)
        {
            throw new InvalidOperationException($"a batch of {_source.Name} was released twice (or never delivered)");
        }

        Reset();
        _pool.Return(this);
    }
}
