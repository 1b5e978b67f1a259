using Capture.Abstractions;
using Capture.Pcap.Files;

namespace Capture.Pcap.Sources;

/// <summary>
/// A pooled batch: one buffer the packets are copied into and an array of records. Released
/// batches go back to their pool, in any order.
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
    private readonly byte[] _buffer;
    private int _count;
    private int _used;
    private long _wireBytes;
    private int _leased;

    public PcapBatch(ICaptureSource source, PcapBatchPool pool, int maxPackets, int bufferBytes)
    {
        _source = source;
        _pool = pool;
        _packets = new PacketRecord[maxPackets];
        _buffer = GC.AllocateUninitializedArray<byte>(bufferBytes);
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
            return new(_buffer, 0, _used);
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
    public bool HasRoom(int length) => _count < _packets.Length && _buffer.Length - _used >= length;

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Copies a packet in; false when the batch is full.</summary>
    /// <param name="record">The file's record.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flags">Flags to set.</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="number">The record's place in the files read (<see cref="PacketRecord.PacketNumber"/>).</param>
    /// <returns>True when added.</returns>
    public bool TryAdd(in FileRecord record, LinkType linkType, PacketFlags flags, ReadOnlySpan<byte> data, uint number)
    {
        if (!HasRoom(data.Length))
        {
            return false;
        }

        data.CopyTo(_buffer.AsSpan(_used));
        ref PacketRecord packet = ref _packets[_count++];
        packet.TimestampNanoseconds = record.TimestampNanoseconds;
        packet.Offset = _used;
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
            throw new InvalidOperationException($"a batch of {_source.Name} was released twice (or never delivered)");
        }

        Reset();
        _pool.Return(this);
    }
}
