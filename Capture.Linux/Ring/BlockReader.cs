using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>Turns the tpacket3_hdr chain of a retired block into packet records (offsets into the block).</summary>
internal static unsafe class BlockReader
{
    private const uint StatusLosing = 0x4;

    /// <summary>tpacket3_hdr plus sockaddr_ll: what precedes the gap before the frame.</summary>
    private const int HeaderBytes = 68;

    /// <summary>Whether the kernel flagged the block as written while it was dropping (TP_STATUS_LOSING).</summary>
    public static bool IsLosing(uint blockStatus) => (blockStatus & StatusLosing) != 0;

    /// <summary>Packets the block descriptor announces.</summary>
    public static int PacketCount(byte* block) => *(int*)(block + 12);

    /// <summary>
    /// Reads the block's packets into <paramref name="records"/>. Stops at a header that points
    /// outside the block (counted in <paramref name="corrupt"/>) rather than reading wild memory.
    /// </summary>
    /// <returns>The number of records written.</returns>
    public static int Read(byte* block, int blockSize, LinkType linkType, ChecksumMode checksums, Span<PacketRecord> records, ref long bytes, out int corrupt)
    {
        corrupt = 0;
        int count = Math.Min(PacketCount(block), records.Length);
        long offset = *(uint*)(block + 16);
        int written = 0;
        for (int i = 0; i < count; i++)
        {
            if (offset < 0 || offset + 40 > blockSize)
            {
                corrupt++;
                break;
            }

            byte* header = block + offset;
            uint snap = *(uint*)(header + 12);
            uint length = *(uint*)(header + 16);
            ushort mac = *(ushort*)(header + 24);
            long start = offset + mac;
            if (start + snap > blockSize)
            {
                corrupt++;
                break;
            }

            var fields = new RingPacketHeader(
                *(uint*)(header + 20), length, snap, mac, *(uint*)(header + 4), *(uint*)(header + 8), *(ushort*)(header + 32), *(ushort*)(header + 36));
            bytes += RingPacket.Fill(ref records[written++], header, offset, HeaderBytes, in fields, linkType, checksums);

            uint next = *(uint*)header;
            if (next == 0)
            {
                break;
            }

            offset += next;
        }

        return written;
    }
}
