using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>
/// What TPACKET_V2 frames and TPACKET_V3 block packets share: the status bits of a packet's header
/// and how they become a <see cref="PacketRecord"/> (VLAN tag, checksum verdict, truncation).
/// </summary>
internal static unsafe class RingPacket
{
    private const uint StatusChecksumNotReady = 0x8;
    private const uint StatusVlanValid = 0x10;
    private const uint StatusVlanTpidValid = 0x40;
    private const uint StatusChecksumValid = 0x80;
    private const ushort Tpid8021Q = 0x8100;

    /// <summary>
    /// Fills <paramref name="record"/> for the packet whose header starts at <paramref name="header"/>,
    /// <paramref name="headerOffset"/> bytes into the batch's buffer.
    /// </summary>
    /// <param name="record">The record to fill.</param>
    /// <param name="header">The tpacket header.</param>
    /// <param name="headerOffset">The header's offset in the batch's buffer.</param>
    /// <param name="headerBytes">The tpacket header plus sockaddr_ll: what must stay in front of the frame.</param>
    /// <param name="fields">The header's fields.</param>
    /// <param name="linkType">How the interface's frames start.</param>
    /// <param name="checksums">How checksums are judged.</param>
    /// <returns>The packet's bytes on the wire (as counted in the byte totals).</returns>
    public static long Fill(ref PacketRecord record, byte* header, long headerOffset, int headerBytes, in RingPacketHeader fields, LinkType linkType, ChecksumMode checksums)
    {
        uint status = fields.Status;
        ushort mac = fields.MacOffset;
        uint snap = fields.CaptureLength;
        PacketFlags flags = PacketFlags.None;
        ushort tci = 0;
        int restored = 0;
        if ((status & StatusVlanValid) != 0)
        {
            tci = fields.VlanTci;
            ushort tpid = (status & StatusVlanTpidValid) != 0 ? fields.VlanTpid : Tpid8021Q;
            if (tpid != Tpid8021Q && mac >= headerBytes + 4 && snap >= 12)
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

        if (snap < fields.Length)
        {
            flags |= PacketFlags.Truncated;
        }

        record.TimestampNanoseconds = (fields.Seconds * 1_000_000_000L) + fields.Nanoseconds;
        record.Offset = (int)(headerOffset + mac) - restored;
        record.CaptureLength = (int)snap + restored;
        record.OriginalLength = (int)fields.Length + restored;
        record.LinkType = linkType;
        record.VlanTci = tci;
        record.Flags = flags;
        record.InterfaceId = 0;
        return fields.Length + restored;
    }
}
