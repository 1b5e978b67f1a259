using System.Buffers.Binary;
using Capture.Abstractions;

namespace CapturePlugin1;

/// <summary>
/// Reads a classic pcap file (the libpcap format): a 24-byte file header, then records of a
/// 16-byte header and the packet's bytes. Both byte orders and both timestamp resolutions.
/// </summary>
internal sealed class PcapFileReader
{
    private const uint Microseconds = 0xa1b2c3d4;
    private const uint Nanoseconds = 0xa1b23c4d;

    private readonly Stream _stream;
    private readonly bool _swapped;
    private readonly long _fractionScale;

    /// <summary>Reads and checks the file header.</summary>
    /// <param name="stream">The file, at its start.</param>
    /// <param name="path">The file's name, for messages.</param>
    public PcapFileReader(Stream stream, string path)
    {
        _stream = stream;
        Span<byte> header = stackalloc byte[24];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            throw new CaptureException($"{path}: too short for a pcap file header (24 bytes)");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        _swapped = magic is not (Microseconds or Nanoseconds);
        if (_swapped)
        {
            magic = BinaryPrimitives.ReverseEndianness(magic);
        }

        _fractionScale = magic switch
        {
            Microseconds => 1000,
            Nanoseconds => 1,
            _ => throw new CaptureException($"{path}: not a classic pcap file (magic 0x{BinaryPrimitives.ReadUInt32LittleEndian(header):x8}; pcapng is not read by this plugin)"),
        };
        SnapshotLength = (int)Math.Min(Read32(header[16..]), int.MaxValue);
        LinkType = (LinkType)(Read32(header[20..]) & 0xFFFF);
    }

    /// <summary>The link type of every packet in the file.</summary>
    public LinkType LinkType { get; }

    /// <summary>The largest captured length the file declares.</summary>
    public int SnapshotLength { get; }

    /// <summary>Reads the next record header.</summary>
    /// <param name="header">The header, when true is returned.</param>
    /// <returns>False at the end of the file; a header cut short throws.</returns>
    public bool TryReadHeader(out PcapRecordHeader header)
    {
        Span<byte> bytes = stackalloc byte[16];
        int read = _stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            header = default;
            return false;
        }

        if (read < bytes.Length)
        {
            throw new EndOfStreamException($"the file ends inside a record header ({read} of 16 bytes)");
        }

        long seconds = Read32(bytes);
        long fraction = Read32(bytes[4..]);
        uint captured = Read32(bytes[8..]);
        uint original = Read32(bytes[12..]);
        if (captured > (uint)SnapshotLength || captured > int.MaxValue || original > int.MaxValue)
        {
            throw new InvalidDataException($"a record of {captured} captured bytes exceeds the file's snapshot length {SnapshotLength}");
        }

        header = new PcapRecordHeader((seconds * 1_000_000_000L) + (fraction * _fractionScale), (int)captured, (int)Math.Max(original, captured));
        return true;
    }

    /// <summary>Reads the packet bytes of the record whose header was just read.</summary>
    /// <param name="destination">Exactly the record's captured length.</param>
    public void ReadPacket(Span<byte> destination) => _stream.ReadExactly(destination);

    private uint Read32(ReadOnlySpan<byte> bytes) =>
        _swapped ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
