using System.Diagnostics;
using Capture.Abstractions;
using Capture.Pcap.Files;

namespace Capture.Pcap.Sources;

/// <summary>
/// A pooled batch: an array of records and the bytes they point into, either a window of a
/// memory-mapped file (no copy; the batch holds a reference to the window) or, for a pipe, one
/// buffer the packets are copied into, allocated when first needed. Released batches go back to
/// their pool, in any order.
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
    private byte[]? _buffer;
    private MappedWindow? _window;
    private int _count;
    private int _used;
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
            return _window is { } window ? window.Span : new(_buffer, 0, _used);
        }
    }

    /// <inheritdoc />
    public override ICaptureSource Source => _source;

    /// <summary>Packets in the batch.</summary>
    public int Count => _count;

    /// <summary>The batch's place in the capture's sequence of batches (1 for the first), 0 while in the pool.</summary>
    public long Sequence { get; set; }

    /// <summary>Whether a packet of <paramref name="length"/> captured bytes, in <paramref name="window"/> (null: to be copied), still fits.</summary>
    /// <param name="length">Captured bytes.</param>
    /// <param name="window">The mapped window holding them, or null.</param>
    /// <returns>True when <see cref="TryAdd"/> would take it.</returns>
    public bool HasRoom(int length, MappedWindow? window)
    {
        if (_count == _packets.Length)
        {
            return false;
        }

        // One batch points into one window, or holds copies: never both.
        if (window is not null)
        {
            return _count == 0 || _window == window;
        }

        return _window is null && _bufferBytes - _used >= length;
    }

    /// <summary>Sum of the packets' original lengths.</summary>
    public long WireBytes => _wireBytes;

    /// <summary>Adds a packet, pointing into <paramref name="window"/> or copied when it is null; false when the batch is full.</summary>
    /// <param name="record">The file's record.</param>
    /// <param name="linkType">Its link type.</param>
    /// <param name="flags">Flags to set.</param>
    /// <param name="data">The captured bytes.</param>
    /// <param name="window">The mapped window <paramref name="data"/> lies in, or null.</param>
    /// <returns>True when added.</returns>
    public bool TryAdd(in FileRecord record, LinkType linkType, PacketFlags flags, ReadOnlySpan<byte> data, MappedWindow? window)
    {
        if (!HasRoom(data.Length, window))
        {
            return false;
        }

        int offset;
        if (window is not null)
        {
            bool inside = window.Contains(data, out offset);
            Debug.Assert(inside, "the reader hands out bytes of its current window");
            if (_window is null)
            {
                window.AddRef();
                _window = window;
            }
        }
        else
        {
            _buffer ??= GC.AllocateUninitializedArray<byte>(_bufferBytes);
            data.CopyTo(_buffer.AsSpan(_used));
            offset = _used;
            _used += data.Length;
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
        _wireBytes += record.OriginalLength;
        return true;
    }

    /// <summary>Marks the batch handed to the engine.</summary>
    public void MarkLeased() => Volatile.Write(ref _leased, 1);

    /// <summary>Empties the batch.</summary>
    public void Reset()
    {
        _window?.ReleaseRef();
        _window = null;
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
