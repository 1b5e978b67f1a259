using System.Buffers.Binary;
using Capture.Abstractions;

namespace FlowEngine.Tests.Pipeline;

/// <summary>Reads a classic pcap file into test frames (enough for the shared captures; not the product's reader).</summary>
internal static class ClassicPcapFile
{
    public static (LinkType LinkType, List<(PacketRecord Record, byte[] Bytes)> Packets) Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool little = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        uint native = little ? magic : BinaryPrimitives.ReverseEndianness(magic);
        if (native is not (0xA1B2C3D4 or 0xA1B23C4D))
        {
            throw new InvalidDataException($"{path} is not a classic pcap file");
        }

        bool nanos = native == 0xA1B23C4D;
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        LinkType linkType = (LinkType)(U32(20) & 0xFFFF);
        List<(PacketRecord, byte[])> packets = [];
        int offset = 24;
        while (offset + 16 <= file.Length)
        {
            long seconds = U32(offset);
            long fraction = U32(offset + 4);
            int captured = (int)U32(offset + 8);
            int original = (int)U32(offset + 12);
            offset += 16;
            if (captured < 0 || offset + captured > file.Length)
            {
                break;
            }

            PacketRecord record = new()
            {
                TimestampNanoseconds = (seconds * 1_000_000_000) + (nanos ? fraction : fraction * 1000),
                CaptureLength = captured,
                OriginalLength = original,
                LinkType = linkType,
            };
            packets.Add((record, file.AsSpan(offset, captured).ToArray()));
            offset += captured;
        }

        return (linkType, packets);
    }
}
