using System.Buffers.Binary;

namespace Capture.TestPlugin;

/// <summary>
/// Frame <c>i</c>: Ethernet, IPv4 192.0.2.1 -> 198.51.100.(1 + i % 4), UDP 40000 + i % 16 -> 53,
/// payload the index as a big-endian 64-bit number; 60 bytes.
/// </summary>
public static class SyntheticFrames
{
    /// <summary>Bytes per frame.</summary>
    public const int FrameLength = 60;

    /// <summary>Offset of the payload (the frame index).</summary>
    public const int PayloadOffset = 14 + 20 + 8;

    /// <summary>Writes frame <paramref name="index"/>.</summary>
    /// <param name="index">The frame number.</param>
    /// <param name="frame">At least <see cref="FrameLength"/> bytes.</param>
    public static void Write(long index, Span<byte> frame)
    {
        frame = frame[..FrameLength];
        frame.Clear();
        ReadOnlySpan<byte> dstMac = [0x02, 0, 0, 0, 0, 2];
        ReadOnlySpan<byte> srcMac = [0x02, 0, 0, 0, 0, 1];
        dstMac.CopyTo(frame);
        srcMac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);

        Span<byte> ip = frame.Slice(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 20 + 8 + 8);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)index);
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;
        ip[16] = 198; ip[17] = 51; ip[18] = 100; ip[19] = (byte)(1 + (index % 4));
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);

        Span<byte> udp = frame.Slice(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)(40000 + (index % 16)));
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 53);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], 8 + 8);
        BinaryPrimitives.WriteInt64BigEndian(frame[PayloadOffset..], index);
    }
}
