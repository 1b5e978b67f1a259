using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Pcap.Files;

/// <summary>
/// Classic libpcap files: microsecond and nanosecond magic numbers, both byte orders, and the
/// "modified" (Kuznetsov) variant with 24-byte record headers.
/// </summary>
internal sealed class ClassicPcapReader : CaptureFileReader
{
    private const int FileHeaderLength = 24;

    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private readonly int _recordHeaderLength;
    private readonly uint _linkType;

    public ClassicPcapReader(string path, CaptureFileInput input, bool bigEndian, bool nanoseconds, bool modified)
        : base(path, input)
    {
        _bigEndian = bigEndian;
        _nanoseconds = nanoseconds;
        _recordHeaderLength = modified ? 24 : 16;
        if (!input.Ensure(FileHeaderLength))
        {
            throw new CaptureException($"{path}: the pcap file header is cut short ({input.Available} of {FileHeaderLength} bytes)");
        }

        ReadOnlySpan<byte> header = input.Span;
        ushort major = ReadUInt16(header[4..]);
        ushort minor = ReadUInt16(header[6..]);
        if (major != 2)
        {
            throw new CaptureException($"{path}: unsupported pcap format version {major}.{minor} (only 2.x is defined)");
        }

        _linkType = LinkTypes.Normalize(ReadUInt32(header[20..]));
        input.Advance(FileHeaderLength);
        Format = $"pcap {major}.{minor} ({(bigEndian ? "big" : "little")}-endian, {(nanoseconds ? "nanosecond" : "microsecond")} timestamps{(modified ? ", modified" : string.Empty)})";
    }

    /// <inheritdoc />
    public override string Format { get; }

    /// <summary>The file's link type.</summary>
    public uint LinkType => _linkType;

    /// <inheritdoc />
    public override RecordStatus ReadNext(ref FileRecord record, out ReadOnlySpan<byte> data)
    {
        data = default;
        CaptureFileInput input = Input;
        long offset = input.Position;
        int headerLength = _recordHeaderLength;
        if (!input.Ensure(headerLength))
        {
            return input.Available == 0
                ? RecordStatus.EndOfFile
                : Problem(RecordStatus.Truncated, offset, $"the file ends inside a record header ({input.Available} of {headerLength} bytes)");
        }

        ReadOnlySpan<byte> header = input.Span;
        uint seconds = ReadUInt32(header);
        uint fraction = ReadUInt32(header[4..]);
        uint captureLength = ReadUInt32(header[8..]);
        uint originalLength = ReadUInt32(header[12..]);
        if (captureLength > MaxPacketLength)
        {
            return Problem(RecordStatus.Corrupt, offset, $"record claims {captureLength} captured bytes, more than the {MaxPacketLength} any capture holds");
        }

        int total = headerLength + (int)captureLength;
        if (!input.Ensure(total))
        {
            return Problem(RecordStatus.Truncated, offset, $"the file ends inside a record ({input.Available - headerLength} of {captureLength} packet bytes)");
        }

        record.TimestampNanoseconds = (seconds * 1_000_000_000L) + (_nanoseconds ? fraction : fraction * 1000L);
        record.CaptureLength = (int)captureLength;
        record.OriginalLength = (int)Math.Clamp(originalLength, captureLength, int.MaxValue);
        record.LinkType = _linkType;
        record.InterfaceId = 0;
        data = input.Span.Slice(headerLength, (int)captureLength);
        input.Advance(total);
        return RecordStatus.Packet;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
}
