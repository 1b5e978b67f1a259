using System.Buffers.Binary;

namespace CapturePlugin1.Tests;

/// <summary>Writes classic pcap files (little-endian, microseconds, Ethernet) for the tests.</summary>
internal static class PcapFileWriter
{
    /// <summary>2026-01-01T00:00:00Z: the time of the first frame.</summary>
    public const long BaseSeconds = 1_767_225_600;

    /// <summary>Writes a file of frames, one microsecond apart.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="frames">Whole Ethernet frames.</param>
    public static void Write(string path, IReadOnlyList<byte[]> frames)
    {
        using FileStream file = File.Create(path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262_144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        file.Write(header);
        Span<byte> record = stackalloc byte[16];
        for (int i = 0; i < frames.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(BaseSeconds + (i / 1_000_000)));
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(i % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frames[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frames[i].Length);
            file.Write(record);
            file.Write(frames[i]);
        }
    }
}
