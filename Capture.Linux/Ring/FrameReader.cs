using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>Turns a run of TPACKET_V2 frames (tpacket2_hdr each) into packet records (offsets into the ring).</summary>
internal static unsafe class FrameReader
{
    private const uint StatusLosing = 0x4;

    /// <summary>tpacket2_hdr plus sockaddr_ll: what precedes the gap before the frame.</summary>
    private const int HeaderBytes = 52;

    /// <summary>Whether the kernel flagged a frame as written while it was dropping (TP_STATUS_LOSING).</summary>
    public static bool IsLosing(byte* frame) => (*(uint*)frame & StatusLosing) != 0;

    /// <summary>A frame's offset in the ring: frames do not cross blocks, and a block may end in a gap.</summary>
    public static long Offset(PacketRingOptions geometry, int frame)
    {
        int framesPerBlock = geometry.BlockSize / geometry.FrameSize;
        return ((long)(frame / framesPerBlock) * geometry.BlockSize) + ((long)(frame % framesPerBlock) * geometry.FrameSize);
    }

    /// <summary>
    /// Reads frames <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> − 1
    /// of the ring at <paramref name="ring"/> into <paramref name="records"/>, in order (offsets from
    /// the ring's start). A frame whose header points outside its slot is skipped and counted in
    /// <paramref name="corrupt"/> rather than read; a packet longer than its frame kept (GRO or LRO
    /// merged segments beyond the MTU) is read as far as it was kept and counted in <paramref name="truncated"/>.
    /// </summary>
    /// <returns>The number of records written.</returns>
    public static int Read(
        byte* ring, PacketRingOptions geometry, int first, int count, LinkType linkType, ChecksumMode checksums, Span<PacketRecord> records, ref long bytes, out int corrupt, out int truncated)
    {
        corrupt = 0;
        truncated = 0;
        int frameSize = geometry.FrameSize;
        int written = 0;
        for (int frame = first; frame < first + count && written < records.Length; frame++)
        {
            long offset = Offset(geometry, frame);
            byte* header = ring + offset;
            uint length = *(uint*)(header + 4);
            uint snap = *(uint*)(header + 8);
            ushort mac = *(ushort*)(header + 12);
            if (mac < HeaderBytes || (long)mac + snap > frameSize)
            {
                corrupt++;
                continue;
            }

            if (snap < length)
            {
                truncated++;
            }

            var fields = new RingPacketHeader(
                *(uint*)header, length, snap, mac, *(uint*)(header + 16), *(uint*)(header + 20), *(ushort*)(header + 24), *(ushort*)(header + 26));
            bytes += RingPacket.Fill(ref records[written++], header, offset, HeaderBytes, in fields, linkType, checksums);
        }

        return written;
    }
}
