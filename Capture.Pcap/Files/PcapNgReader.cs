using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Pcap.Files;

/// <summary>
/// pcapng files: section header blocks in either byte order (several sections), interface
/// description blocks with per-interface link types, <c>if_tsresol</c> and <c>if_tsoffset</c>,
/// enhanced, simple and (obsolete) packet blocks; every other block is skipped.
/// </summary>
internal sealed class PcapNgReader : CaptureFileReader
{
    private const uint SectionHeaderBlock = 0x0a0d0d0a;
    private const uint InterfaceDescriptionBlock = 1;
    private const uint ObsoletePacketBlock = 2;
    private const uint SimplePacketBlock = 3;
    private const uint EnhancedPacketBlock = 6;
    private const uint ByteOrderMagic = 0x1a2b3c4d;

    /// <summary>Blocks we parse in place are at most this long; larger ones are skipped or corrupt.</summary>
    private const int MaxParsedBlock = 16 << 20;

    private readonly List<PcapNgInterface> _interfaces = [];
    private bool _bigEndian;
    private long _lastTimestamp;

    public PcapNgReader(string path, CaptureFileInput input)
        : base(path, input)
    {
        if (ReadSectionHeader(input.Position) is { } problem)
        {
            throw new CaptureException($"{path}: bad pcapng section header block: {problem}");
        }
    }

    /// <inheritdoc />
    public override string Format => $"pcapng ({(_bigEndian ? "big" : "little")}-endian)";

    /// <summary>Interfaces of the current section.</summary>
    public int InterfaceCount => _interfaces.Count;

    /// <inheritdoc />
    public override RecordStatus ReadNext(ref FileRecord record, out ReadOnlySpan<byte> data)
    {
        data = default;
        CaptureFileInput input = Input;
        while (true)
        {
            long offset = input.Position;
            if (!input.Ensure(12))
            {
                return input.Available == 0
                    ? RecordStatus.EndOfFile
                    : Problem(RecordStatus.Truncated, offset, $"the file ends inside a block header ({input.Available} of 12 bytes)");
            }

            ReadOnlySpan<byte> head = input.Span;
            uint type = ReadUInt32(head);
            if (type == SectionHeaderBlock)
            {
                if (ReadSectionHeader(offset) is { } problem)
                {
                    return Problem(problem.StartsWith("the file ends", StringComparison.Ordinal) ? RecordStatus.Truncated : RecordStatus.Corrupt, offset, problem);
                }

                continue;
            }

            uint length = ReadUInt32(head[4..]);
            if (length < 12 || (length & 3) != 0)
            {
                return Problem(RecordStatus.Corrupt, offset, $"block of type {type} has length {length}, not a multiple of 4 of at least 12");
            }

            switch (type)
            {
                case EnhancedPacketBlock:
                case ObsoletePacketBlock:
                case SimplePacketBlock:
                case InterfaceDescriptionBlock:
                    break;
                default:
                    if (!input.Skip(length))
                    {
                        return Problem(RecordStatus.Truncated, offset, $"the file ends inside a block of type {type} ({length} bytes)");
                    }

                    continue;
            }

            if (length > MaxParsedBlock)
            {
                return Problem(RecordStatus.Corrupt, offset, $"block of type {type} claims {length} bytes, more than any packet needs");
            }

            if (!input.Ensure((int)length))
            {
                return Problem(RecordStatus.Truncated, offset, $"the file ends inside a block of type {type} ({input.Available} of {length} bytes)");
            }

            ReadOnlySpan<byte> block = input.Span[..(int)length];
            if (ReadUInt32(block[^4..]) != length)
            {
                return Problem(RecordStatus.Corrupt, offset, $"block of type {type}: trailing length {ReadUInt32(block[^4..])} differs from leading length {length}");
            }

            if (type == InterfaceDescriptionBlock)
            {
                if (length < 20)
                {
                    return Problem(RecordStatus.Corrupt, offset, $"interface description block of {length} bytes is shorter than 20");
                }

                _interfaces.Add(ParseInterface(block));
                input.Advance((int)length);
                continue;
            }

            RecordStatus status = type switch
            {
                EnhancedPacketBlock => ParseEnhanced(block, offset, ref record, out data),
                ObsoletePacketBlock => ParseObsolete(block, offset, ref record, out data),
                _ => ParseSimple(block, offset, ref record, out data),
            };
            if (status == RecordStatus.Packet)
            {
                input.Advance((int)length);
            }

            return status;
        }
    }

    private RecordStatus ParseEnhanced(ReadOnlySpan<byte> block, long offset, ref FileRecord record, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (block.Length < 32)
        {
            return Problem(RecordStatus.Corrupt, offset, $"enhanced packet block of {block.Length} bytes is shorter than 32");
        }

        uint interfaceId = ReadUInt32(block[8..]);
        ulong units = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
        return FinishPacket(block, offset, interfaceId, units, ReadUInt32(block[20..]), ReadUInt32(block[24..]), 28, ref record, out data);
    }

    private RecordStatus ParseObsolete(ReadOnlySpan<byte> block, long offset, ref FileRecord record, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (block.Length < 32)
        {
            return Problem(RecordStatus.Corrupt, offset, $"packet block of {block.Length} bytes is shorter than 32");
        }

        uint interfaceId = ReadUInt16(block[8..]);
        ulong units = ((ulong)ReadUInt32(block[12..]) << 32) | ReadUInt32(block[16..]);
        return FinishPacket(block, offset, interfaceId, units, ReadUInt32(block[20..]), ReadUInt32(block[24..]), 28, ref record, out data);
    }

    private RecordStatus ParseSimple(ReadOnlySpan<byte> block, long offset, ref FileRecord record, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (block.Length < 16)
        {
            return Problem(RecordStatus.Corrupt, offset, $"simple packet block of {block.Length} bytes is shorter than 16");
        }

        if (_interfaces.Count == 0)
        {
            return Problem(RecordStatus.Corrupt, offset, "simple packet block before any interface description block");
        }

        // No timestamp and no capture length: the block holds min(original, snap length) bytes.
        uint originalLength = ReadUInt32(block[8..]);
        uint captureLength = Math.Min(originalLength, (uint)block.Length - 16);
        uint snap = _interfaces[0].SnapLength;
        if (snap != 0)
        {
            captureLength = Math.Min(captureLength, snap);
        }

        return FinishPacket(block, offset, 0, ulong.MaxValue, captureLength, originalLength, 12, ref record, out data);
    }

    private RecordStatus FinishPacket(
        ReadOnlySpan<byte> block,
        long offset,
        uint interfaceId,
        ulong units,
        uint captureLength,
        uint originalLength,
        int dataOffset,
        ref FileRecord record,
        out ReadOnlySpan<byte> data)
    {
        data = default;
        if (interfaceId >= (uint)_interfaces.Count)
        {
            return Problem(RecordStatus.Corrupt, offset, $"packet of interface {interfaceId}, but the section describes {_interfaces.Count} interface(s)");
        }

        if (captureLength > MaxPacketLength || dataOffset + captureLength > block.Length - 4)
        {
            return Problem(RecordStatus.Corrupt, offset, $"packet claims {captureLength} captured bytes but its block holds {Math.Max(0, block.Length - 4 - dataOffset)}");
        }

        PcapNgInterface description = _interfaces[(int)interfaceId];
        long timestamp = units == ulong.MaxValue ? _lastTimestamp : description.ToNanoseconds(units);
        _lastTimestamp = timestamp;
        record.TimestampNanoseconds = timestamp;
        record.CaptureLength = (int)captureLength;
        record.OriginalLength = (int)Math.Clamp(originalLength, captureLength, int.MaxValue);
        record.LinkType = description.LinkType;
        record.InterfaceId = (ushort)interfaceId;
        data = block.Slice(dataOffset, (int)captureLength);
        return RecordStatus.Packet;
    }

    private PcapNgInterface ParseInterface(ReadOnlySpan<byte> block)
    {
        uint linkType = LinkTypes.Normalize(ReadUInt16(block[8..]));
        uint snap = ReadUInt32(block[12..]);
        byte resolution = 6;
        long offsetSeconds = 0;
        ReadOnlySpan<byte> options = block[16..^4];
        while (options.Length >= 4)
        {
            ushort code = ReadUInt16(options);
            int length = ReadUInt16(options[2..]);
            if (code == 0 || 4 + length > options.Length)
            {
                break;
            }

            ReadOnlySpan<byte> value = options.Slice(4, length);
            if (code == 9 && length >= 1)
            {
                resolution = value[0];
            }
            else if (code == 14 && length >= 8)
            {
                offsetSeconds = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            }

            int padded = (4 + length + 3) & ~3;
            options = padded >= options.Length ? default : options[padded..];
        }

        return new PcapNgInterface(linkType, snap, resolution, offsetSeconds);
    }

    /// <summary>Reads a section header block at the window's start; returns a problem or null.</summary>
    private string? ReadSectionHeader(long offset)
    {
        CaptureFileInput input = Input;
        if (!input.Ensure(28))
        {
            return $"the file ends inside a section header block at offset {offset} ({input.Available} of 28 bytes)";
        }

        ReadOnlySpan<byte> head = input.Span;
        uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
        if (bom == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (bom == BinaryPrimitives.ReverseEndianness(ByteOrderMagic))
        {
            _bigEndian = true;
        }
        else
        {
            return $"byte-order magic 0x{bom:x8} is neither 1a2b3c4d nor 4d3c2b1a";
        }

        uint length = ReadUInt32(head[4..]);
        ushort major = ReadUInt16(head[12..]);
        if (length < 28 || (length & 3) != 0 || length > MaxParsedBlock)
        {
            return $"section header block length {length} is not a multiple of 4 between 28 and {MaxParsedBlock}";
        }

        if (major != 1)
        {
            return $"unsupported pcapng major version {major}";
        }

        if (!input.Skip(length))
        {
            return $"the file ends inside a section header block at offset {offset} ({length} bytes)";
        }

        _interfaces.Clear();
        return null;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
}
