using System.Buffers.Binary;
using Capture.Abstractions;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// A small pcap/pcapng reader for the decoder tests (the real reader lives in the pcap plugin,
/// which this project does not reference). Reads the whole file; stops quietly at a cut-off record,
/// as the fuzzer-made captures have them. Unknown link types come through as their numbers.
/// </summary>
internal static class TestCaptureReader
{
    public static List<TestCapturePacket> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < 4)
        {
            return [];
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        return magic == 0x0A0D0D0A ? ReadPcapng(file) : ReadPcap(file);
    }

    private static List<TestCapturePacket> ReadPcap(byte[] file)
    {
        var packets = new List<TestCapturePacket>();
        if (file.Length < 24)
        {
            return packets;
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool bigEndian;
        bool nanoseconds;
        switch (magic)
        {
            case 0xA1B2C3D4: bigEndian = false; nanoseconds = false; break;
            case 0xA1B23C4D: bigEndian = false; nanoseconds = true; break;
            case 0xD4C3B2A1: bigEndian = true; nanoseconds = false; break;
            case 0x4D3CB2A1: bigEndian = true; nanoseconds = true; break;
            default: throw new InvalidDataException($"not a pcap file (magic {magic:x8})");
        }

        var linkType = (LinkType)(ushort)U32(file, 20, bigEndian);
        if (linkType is (LinkType)12 or (LinkType)14)
        {
            // DLT_RAW as some systems number it: LINKTYPE_RAW (libpcap maps it the same way).
            linkType = LinkType.Raw;
        }
        int offset = 24;
        while (offset + 16 <= file.Length)
        {
            long seconds = U32(file, offset, bigEndian);
            long fraction = U32(file, offset + 4, bigEndian);
            int captured = (int)Math.Min(U32(file, offset + 8, bigEndian), int.MaxValue);
            int original = (int)Math.Min(U32(file, offset + 12, bigEndian), int.MaxValue);
            offset += 16;
            if (captured > file.Length - offset)
            {
                break;
            }

            long ns = seconds * 1_000_000_000 + (nanoseconds ? fraction : fraction * 1000);
            packets.Add(Make(linkType, ns, file.AsSpan(offset, captured), original, 0));
            offset += captured;
        }

        return packets;
    }

    private static List<TestCapturePacket> ReadPcapng(byte[] file)
    {
        var packets = new List<TestCapturePacket>();
        var interfaces = new List<(LinkType Link, long UnitsPerSecond)>();
        bool bigEndian = false;
        int offset = 0;
        while (offset + 12 <= file.Length)
        {
            uint type = U32(file, offset, bigEndian);
            if (type == 0x0A0D0D0A)
            {
                bigEndian = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8)) != 0x1A2B3C4D;
                interfaces.Clear();
            }

            uint length = U32(file, offset + 4, bigEndian);
            if (length < 12 || length > file.Length - offset)
            {
                break;
            }

            ReadOnlySpan<byte> body = file.AsSpan(offset + 8, (int)length - 12);
            switch (type)
            {
                case 1 when body.Length >= 8:
                    interfaces.Add(((LinkType)U16(body, 0, bigEndian), InterfaceResolution(body[8..], bigEndian)));
                    break;
                case 6 when body.Length >= 20:
                {
                    int id = (int)U32(body, 0, bigEndian);
                    if (id < interfaces.Count)
                    {
                        long units = (long)((ulong)U32(body, 4, bigEndian) << 32 | U32(body, 8, bigEndian));
                        long perSecond = interfaces[id].UnitsPerSecond;
                        long ns = perSecond == 1_000_000_000 ? units : units / perSecond * 1_000_000_000 + units % perSecond * (1_000_000_000 / perSecond);
                        int captured = (int)Math.Min(U32(body, 12, bigEndian), (uint)(body.Length - 20));
                        int original = (int)Math.Min(U32(body, 16, bigEndian), int.MaxValue);
                        packets.Add(Make(interfaces[id].Link, ns, body.Slice(20, captured), original, (ushort)id));
                    }

                    break;
                }

                case 3 when body.Length >= 4 && interfaces.Count > 0:
                {
                    int original = (int)Math.Min(U32(body, 0, bigEndian), int.MaxValue);
                    int captured = Math.Min(original, body.Length - 4);
                    packets.Add(Make(interfaces[0].Link, 0, body.Slice(4, captured), original, 0));
                    break;
                }
            }

            offset += (int)length;
        }

        return packets;
    }

    private static long InterfaceResolution(ReadOnlySpan<byte> options, bool bigEndian)
    {
        int i = 0;
        while (i + 4 <= options.Length)
        {
            int code = U16(options, i, bigEndian);
            int length = U16(options, i + 2, bigEndian);
            if (code == 0 || i + 4 + length > options.Length)
            {
                break;
            }

            if (code == 9 && length >= 1)
            {
                byte value = options[i + 4];
                int exponent = value & 0x7F;
                if ((value & 0x80) == 0 && exponent <= 9)
                {
                    long perSecond = 1;
                    for (int e = 0; e < exponent; e++)
                    {
                        perSecond *= 10;
                    }

                    return perSecond;
                }
            }

            i += 4 + ((length + 3) & ~3);
        }

        return 1_000_000;
    }

    private static TestCapturePacket Make(LinkType linkType, long ns, ReadOnlySpan<byte> data, int original, ushort interfaceId)
    {
        var record = new PacketRecord
        {
            TimestampNanoseconds = ns,
            CaptureLength = data.Length,
            OriginalLength = Math.Max(original, data.Length),
            LinkType = linkType,
            InterfaceId = interfaceId,
            Flags = original > data.Length ? PacketFlags.Truncated : PacketFlags.None,
        };
        return new TestCapturePacket(record, data.ToArray());
    }

    private static uint U32(ReadOnlySpan<byte> d, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(d[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(d[offset..]);

    private static ushort U16(ReadOnlySpan<byte> d, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(d[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(d[offset..]);
}
