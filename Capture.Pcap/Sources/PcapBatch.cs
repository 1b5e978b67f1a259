using System.Diagnostics;
using Capture.Abstractions;
using Capture.Pcap.Files;

namespace Capture.Pcap.Sources;

/// <summary>
/// A pooled batch: an array of records pointing into the <see cref="ReadChunk"/> the file was read
/// into (no copy; the batch holds a reference to the chunk until it is released). Released batches
/// go back to their pool, in any order.
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
    private readonly int _maxPacketBytes;
    private ReadChunk? _chunk;
    private int _regionStart;
    private int _regionLength;
    private int _count;
    private int _used;
    private long _wireBytes;
    private int _leased;

    public PcapBatch(ICaptureSource source, PcapBatchPool pool, int maxPackets, int bufferBytes)
    {
        _source = source;
        _pool = pool;
        _packets = new PacketRecord[maxPackets];
        _maxPacketBytes = bufferBytes;
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
            return _chunk is null ? default : new(_chunk.Bytes, _regionStart, _regionLength);
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
    public bool HasRoom(int length) => _count < _packets.Length && _maxPacketBytes - _used >= length;

    /// <summary>Captured bytes of the packets in the batch.</summary>
    public int PacketBytes => _used;

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Adds a packet read into <paramref name="chunk"/>; false when the batch is full.</summary>
    /// <param name="record">The file's record.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flags">Flags to set.</param>
    /// <param name="chunk">The chunk the captured bytes are in: the one of the batch's other packets.</param>
    /// <param name="offset">Where they start in it.</param>
    /// <param name="length">Captured bytes.</param>
    /// <returns>True when added.</returns>
    public bool TryAdd(in FileRecord record, LinkType linkType, PacketFlags flags, ReadChunk chunk, int offset, int length)
    {
        if (!HasRoom(length))
        {
            return false;
        }

        if (_chunk is null)
        {
            chunk.Acquire();
            _chunk = chunk;
            _regionStart = offset;
        }

        Debug.Assert(chunk == _chunk && offset >= _regionStart, "a batch's packets are in one chunk, in file order");
        ref PacketRecord packet = ref _packets[_count++];
        packet.TimestampNanoseconds = record.TimestampNanoseconds;
        packet.Offset = offset - _regionStart;
        packet.CaptureLength = length;
        packet.OriginalLength = record.OriginalLength;
        packet.LinkType = linkType;
        packet.VlanTci = 0;
        packet.Flags = record.CaptureLength < record.OriginalLength ? flags | PacketFlags.Truncated : flags;
        packet.InterfaceId = record.InterfaceId;
        _regionLength = offset + length - _regionStart;
        _used += length;
        _wireBytes += record.OriginalLength;
        return true;
    }

    /// <summary>
    /// Copies the packets, packed, to the front of <paramref name="next"/> (the window moves there)
    /// and points the batch at it; the packets in between that it did not take are left behind.
    /// </summary>
    /// <param name="next">The window's next chunk, with room for <see cref="PacketBytes"/> at its front.</param>
    public void MoveTo(ReadChunk next)
    {
        Debug.Assert(_chunk is not null && next.Bytes.Length >= _used, "a batch with packets moves to a chunk that holds them");
        ReadOnlySpan<byte> region = new(_chunk.Bytes, _regionStart, _regionLength);
        Span<byte> target = next.Bytes;
        int written = 0;
        for (int i = 0; i < _count; i++)
        {
            ref PacketRecord packet = ref _packets[i];
            region.Slice(packet.Offset, packet.CaptureLength).CopyTo(target[written..]);
            packet.Offset = written;
            written += packet.CaptureLength;
        }

        next.Acquire();
        _chunk.Release();
        _chunk = next;
        _regionStart = 0;
        _regionLength = written;
    }

    /// <summary>Marks the batch handed to the engine.</summary>
    public void MarkLeased() => Volatile.Write(ref _leased, 1);

    /// <summary>Empties the batch.</summary>
    public void Reset()
    {
        _chunk?.Release();
        _chunk = null;
        _regionStart = 0;
        _regionLength = 0;
        _count = 0;
        _used = 0;
        _wireBytes = 0;
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
