using System.Buffers.Binary;

namespace Capture.AfPacket.Tests;

/// <summary>Ethernet frames for the ring readers' tests, laid into hand-made blocks and frames.</summary>
internal static class FilledFrames
{
    /// <summary>A frame of <paramref name="length"/> bytes: MAC addresses a0..ab, the EtherType, then <paramref name="fill"/>.</summary>
    public static byte[] Ethernet(ushort etherType, int length, byte fill)
    {
        byte[] frame = new byte[length];
        frame.AsSpan().Fill(fill);
        for (int i = 0; i < 12; i++)
        {
            frame[i] = (byte)(0xa0 + i);
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        return frame;
    }
}
