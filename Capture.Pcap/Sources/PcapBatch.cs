using Capture.Abstractions;
using Capture.Pcap.Files;

namespace Capture.Pcap.Sources;

/// <summary>
/// A pooled batch: one buffer the packets are copied into and an array of records. Released
/// batches go back to their pool, in any order.
/// </summary>
internal sealed class PcapBatch : CaptureBatch
{
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

    /// <inheritdoc />
    public override ReadOnlySpan<byte> Buffer => new(_buffer, 0, _used);

    /// <inheritdoc />
    public override ICaptureSource Source => _source;

    /// <summary>Packets in the batch.</summary>
    public int Count => _count;

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Copies a packet in; false when the batch is full.</summary>
    /// <param name="record">The file's record.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flags">Flags to set.</param>
    /// <param name="data">The captured bytes.</param>
    /// <returns>True when added.</returns>
    public bool TryAdd(in FileRecord record, LinkType linkType, PacketFlags flags, ReadOnlySpan<byte> data)
    {
        if (_count == _packets.Length || _buffer.Length - _used < data.Length)
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
