using System.Buffers.Binary;

namespace Capture.Pcap.Tests;

/// <summary>Writes classic pcap and pcapng files for tests (independent of the plugin's readers).</summary>
internal static class PcapFileWriter
{
    /// <summary>Base time of generated captures: 2026-01-01T00:00:00Z.</summary>
    public const long BaseSeconds = 1_767_225_600;

    /// <summary>A little-endian microsecond pcap file header.</summary>
    public static byte[] Header(uint linkType = 1, bool nanoseconds = false, bool bigEndian = false)
    {
        byte[] header = new byte[24];
        Write32(header, 0, nanoseconds ? 0xa1b23c4du : 0xa1b2c3d4u, bigEndian);
        Write16(header, 4, 2, bigEndian);
        Write16(header, 6, 4, bigEndian);
        Write32(header, 16, 262144, bigEndian);
        Write32(header, 20, linkType, bigEndian);
        return header;
    }

    /// <summary>One record.</summary>
    public static byte[] Record(long seconds, uint fraction, ReadOnlySpan<byte> data, int originalLength = -1, bool bigEndian = false)
    {
        byte[] record = new byte[16 + data.Length];
        Write32(record, 0, (uint)seconds, bigEndian);
        Write32(record, 4, fraction, bigEndian);
        Write32(record, 8, (uint)data.Length, bigEndian);
        Write32(record, 12, (uint)(originalLength < 0 ? data.Length : originalLength), bigEndian);
        data.CopyTo(record.AsSpan(16));
        return record;
    }

    /// <summary>A pcap file of frames, one microsecond apart from <see cref="BaseSeconds"/>, plus <paramref name="firstFrame"/> microseconds.</summary>
    public static void WriteFrames(Stream stream, IReadOnlyList<byte[]> frames, int firstFrame = 0, bool header = true)
    {
        if (header)
        {
            stream.Write(Header());
        }

        for (int i = 0; i < frames.Count; i++)
        {
            long micros = firstFrame + i;
            stream.Write(Record(BaseSeconds + (micros / 1_000_000), (uint)(micros % 1_000_000), frames[i]));
        }
    }

    /// <summary>A pcapng section header block.</summary>
    public static byte[] SectionHeader(bool bigEndian)
    {
        byte[] block = new byte[28];
        Write32(block, 0, 0x0a0d0d0a, bigEndian);
        Write32(block, 4, 28, bigEndian);
        Write32(block, 8, 0x1a2b3c4d, bigEndian);
        Write16(block, 12, 1, bigEndian);
        Write16(block, 14, 0, bigEndian);
        Write32(block, 16, 0xffffffff, bigEndian);
        Write32(block, 20, 0xffffffff, bigEndian);
        Write32(block, 24, 28, bigEndian);
        return block;
    }

    /// <summary>A pcapng interface description block with an <c>if_tsresol</c> option.</summary>
    public static byte[] InterfaceDescription(ushort linkType, byte resolution, bool bigEndian)
    {
        byte[] block = new byte[32];
        Write32(block, 0, 1, bigEndian);
        Write32(block, 4, 32, bigEndian);
        Write16(block, 8, linkType, bigEndian);
        Write32(block, 12, 262144, bigEndian);
        Write16(block, 16, 9, bigEndian);
        Write16(block, 18, 1, bigEndian);
        block[20] = resolution;
        Write16(block, 24, 0, bigEndian); // opt_endofopt
        Write16(block, 26, 0, bigEndian);
        Write32(block, 28, 32, bigEndian);
        return block;
    }

    /// <summary>A pcapng enhanced packet block.</summary>
    public static byte[] EnhancedPacket(uint interfaceId, ulong timestamp, ReadOnlySpan<byte> data, bool bigEndian)
    {
        int padded = (data.Length + 3) & ~3;
        int length = 32 + padded;
        byte[] block = new byte[length];
        Write32(block, 0, 6, bigEndian);
        Write32(block, 4, (uint)length, bigEndian);
        Write32(block, 8, interfaceId, bigEndian);
        Write32(block, 12, (uint)(timestamp >> 32), bigEndian);
        Write32(block, 16, (uint)timestamp, bigEndian);
        Write32(block, 20, (uint)data.Length, bigEndian);
        Write32(block, 24, (uint)data.Length, bigEndian);
        data.CopyTo(block.AsSpan(28));
        Write32(block, length - 4, (uint)length, bigEndian);
        return block;
    }

    /// <summary>A pcapng simple packet block.</summary>
    public static byte[] SimplePacket(ReadOnlySpan<byte> data, bool bigEndian)
    {
        int padded = (data.Length + 3) & ~3;
        int length = 16 + padded;
        byte[] block = new byte[length];
        Write32(block, 0, 3, bigEndian);
        Write32(block, 4, (uint)length, bigEndian);
        Write32(block, 8, (uint)data.Length, bigEndian);
        data.CopyTo(block.AsSpan(12));
        Write32(block, length - 4, (uint)length, bigEndian);
        return block;
    }

    /// <summary>A block of a type readers skip (a custom block).</summary>
    public static byte[] OtherBlock(uint type, int bodyLength, bool bigEndian)
    {
        int length = 12 + ((bodyLength + 3) & ~3);
        byte[] block = new byte[length];
        Write32(block, 0, type, bigEndian);
        Write32(block, 4, (uint)length, bigEndian);
        Write32(block, length - 4, (uint)length, bigEndian);
        return block;
    }

    private static void Write32(byte[] buffer, int offset, uint value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), value);
        }
    }

    private static void Write16(byte[] buffer, int offset, ushort value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(offset), value);
        }
    }
}
