using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>Turns the tpacket3_hdr chain of a retired block into packet records (offsets into the block).</summary>
internal static unsafe class BlockReader
{
    private const uint StatusLosing = 0x4;
    private const uint StatusChecksumNotReady = 0x8;
    private const uint StatusVlanValid = 0x10;
    private const uint StatusVlanTpidValid = 0x40;
    private const uint StatusChecksumValid = 0x80;
    private const ushort Tpid8021Q = 0x8100;

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
            uint status = *(uint*)(header + 20);
            ushort mac = *(ushort*)(header + 24);
            long start = offset + mac;
            if (start + snap > blockSize)
            {
                corrupt++;
                break;
            }

            PacketFlags flags = PacketFlags.None;
            ushort tci = 0;
            int restored = 0;
            if ((status & StatusVlanValid) != 0)
            {
                tci = *(ushort*)(header + 32);
                ushort tpid = (status & StatusVlanTpidValid) != 0 ? *(ushort*)(header + 36) : Tpid8021Q;
                if (tpid != Tpid8021Q && mac >= HeaderBytes + 4 && snap >= 12)
                {
                    // PacketRecord can only say "an 802.1Q tag was removed": put an 802.1ad (QinQ) tag
                    // back in front of the frame, in the ring's headroom, so the decoder sees the wire.
                    byte* frame = header + mac;
                    Buffer.MemoryCopy(frame, frame - 4, 12, 12);
                    frame[8] = (byte)(tpid >> 8);
                    frame[9] = (byte)tpid;
                    frame[10] = (byte)(tci >> 8);
                    frame[11] = (byte)tci;
                    restored = 4;
                    tci = 0;
                }
                else
                {
                    flags |= PacketFlags.VlanTciValid;
                }
            }

            if (checksums == ChecksumMode.None || (checksums != ChecksumMode.All && (status & (StatusChecksumNotReady | StatusChecksumValid)) != 0))
            {
                flags |= PacketFlags.ChecksumVerified;
            }

            if (snap < length)
            {
                flags |= PacketFlags.Truncated;
            }

            ref PacketRecord record = ref records[written++];
            record.TimestampNanoseconds = (*(uint*)(header + 4) * 1_000_000_000L) + *(uint*)(header + 8);
            record.Offset = (int)start - restored;
            record.CaptureLength = (int)snap + restored;
            record.OriginalLength = (int)length + restored;
            record.LinkType = linkType;
            record.VlanTci = tci;
            record.Flags = flags;
            record.InterfaceId = 0;
            bytes += length + restored;

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
