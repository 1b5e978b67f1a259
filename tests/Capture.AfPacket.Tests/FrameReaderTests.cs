using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Linux.Ring;

namespace Capture.AfPacket.Tests;

/// <summary>Reading TPACKET_V2 frames (tpacket2_hdr each) laid out by hand the way the kernel writes them.</summary>
public sealed unsafe class FrameReaderTests
{
    // Two 1536-byte frames per 4096-byte block: the block ends in a 1024-byte gap, as the kernel lays it out.
    private static readonly PacketRingOptions Geometry = new() { InterfaceName = "test", FrameRing = true, BlockSize = 4096, BlockCount = 2, FrameSize = 1536 };

    [Fact]
    public void Frames_sit_in_whole_blocks_with_the_gap_skipped()
    {
        Assert.Equal(4, Geometry.FrameCount);
        Assert.Equal(0, FrameReader.Offset(Geometry, 0));
        Assert.Equal(1536, FrameReader.Offset(Geometry, 1));
        Assert.Equal(4096, FrameReader.Offset(Geometry, 2));
        Assert.Equal(4096 + 1536, FrameReader.Offset(Geometry, 3));
    }

    [Fact]
    public void Reads_a_run_of_frames_with_vlan_tags_checksum_status_truncation_and_puts_back_a_qinq_outer_tag()
    {
        byte[] ring = new byte[Geometry.RingBytes];
        byte[] plain = FilledFrames.Ethernet(0x0800, 60, 0x11);
        byte[] inner = FilledFrames.Ethernet(0x0800, 70, 0x22);
        byte[] qinq = FilledFrames.Ethernet(0x8100, 80, 0x33); // the inner 802.1Q tag stays in the data
        byte[] cut = FilledFrames.Ethernet(0x0800, 100, 0x44);
        Write(ring, 0, plain, plain.Length, status: 0x1 | 0x80, tci: 0, tpid: 0, sec: 10, nsec: 5);
        Write(ring, 1, inner, inner.Length, status: 0x1 | 0x10 | 0x40, tci: 0xa02a, tpid: 0x8100, sec: 11, nsec: 6);
        Write(ring, 2, qinq, qinq.Length, status: 0x1 | 0x10 | 0x40, tci: 0x0064, tpid: 0x88a8, sec: 12, nsec: 7);
        Write(ring, 3, cut, 1400, status: 0x1, tci: 0, tpid: 0, sec: 13, nsec: 8);

        var records = new PacketRecord[4];
        long bytes = 0;
        int count;
        int corrupt;
        int truncated;
        fixed (byte* pointer = ring)
        {
            count = FrameReader.Read(pointer, Geometry, 0, 4, LinkType.Ethernet, ChecksumMode.Kernel, records, ref bytes, out corrupt, out truncated);
        }

        Assert.Equal(4, count);
        Assert.Equal(0, corrupt);
        Assert.Equal(1, truncated);
        Assert.Equal(10_000_000_005L, records[0].TimestampNanoseconds);
        Assert.Equal(PacketFlags.ChecksumVerified, records[0].Flags);
        Assert.True(ring.AsSpan(records[0].Offset, records[0].CaptureLength).SequenceEqual(plain));

        Assert.Equal(PacketFlags.VlanTciValid, records[1].Flags);
        Assert.Equal(0xa02a, records[1].VlanTci);
        Assert.Equal(11_000_000_006L, records[1].TimestampNanoseconds);
        Assert.True(ring.AsSpan(records[1].Offset, records[1].CaptureLength).SequenceEqual(inner));

        // The 802.1ad tag cannot be described by the record: it is back in the frame, in front of the 802.1Q one.
        Assert.Equal(PacketFlags.None, records[2].Flags);
        Assert.Equal(qinq.Length + 4, records[2].CaptureLength);
        ReadOnlySpan<byte> restored = ring.AsSpan(records[2].Offset, records[2].CaptureLength);
        Assert.True(restored[..12].SequenceEqual(qinq.AsSpan(0, 12)));
        Assert.Equal(0x88a8, BinaryPrimitives.ReadUInt16BigEndian(restored[12..]));
        Assert.Equal(0x0064, BinaryPrimitives.ReadUInt16BigEndian(restored[14..]));
        Assert.True(restored[16..].SequenceEqual(qinq.AsSpan(12)));

        // The frame after the block's gap, longer on the wire than what the frame kept.
        Assert.True(records[3].Offset > 4096);
        Assert.Equal(PacketFlags.Truncated, records[3].Flags);
        Assert.Equal(cut.Length, records[3].CaptureLength);
        Assert.Equal(1400, records[3].OriginalLength);
        Assert.Equal(plain.Length + inner.Length + qinq.Length + 4 + 1400, bytes);
    }

    [Fact]
    public void A_frame_whose_header_points_outside_its_slot_is_skipped_and_counted()
    {
        byte[] ring = new byte[Geometry.RingBytes];
        Write(ring, 1, FilledFrames.Ethernet(0x0800, 60, 1), 60, status: 1, tci: 0, tpid: 0, sec: 1, nsec: 1);
        Write(ring, 2, FilledFrames.Ethernet(0x0800, 61, 2), 61, status: 1, tci: 0, tpid: 0, sec: 2, nsec: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(ring.AsSpan((int)FrameReader.Offset(Geometry, 1) + 8), 5000); // snaplen past the frame
        var records = new PacketRecord[4];
        long bytes = 0;
        int count;
        int corrupt;
        fixed (byte* pointer = ring)
        {
            count = FrameReader.Read(pointer, Geometry, 1, 2, LinkType.Ethernet, ChecksumMode.All, records, ref bytes, out corrupt, out _);
        }

        Assert.Equal(1, count);
        Assert.Equal(1, corrupt);
        Assert.Equal(61, records[0].CaptureLength);
        Assert.Equal(PacketFlags.None, records[0].Flags);
    }

    /// <summary>Writes a tpacket2_hdr in frame <paramref name="index"/> with the packet at mac offset 66, as the kernel places an Ethernet frame.</summary>
    private static void Write(byte[] ring, int index, byte[] frame, int wireLength, uint status, ushort tci, ushort tpid, uint sec, uint nsec)
    {
        const int mac = 66;
        int offset = (int)FrameReader.Offset(Geometry, index);
        Span<byte> header = ring.AsSpan(offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header, status);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)wireLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], mac);
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], mac + 14);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], sec);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], nsec);
        BinaryPrimitives.WriteUInt16LittleEndian(header[24..], tci);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], tpid);
        frame.CopyTo(ring.AsSpan(offset + mac));
    }
}
