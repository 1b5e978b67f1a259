using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Linux.Ring;

namespace Capture.AfPacket.Tests;

/// <summary>Reading tpacket3 blocks laid out by hand the way the kernel writes them.</summary>
public sealed unsafe class BlockReaderTests
{
    private const int BlockSize = 4096;

    [Fact]
    public void Reads_packets_vlan_tags_checksum_status_and_puts_back_a_qinq_outer_tag()
    {
        byte[] block = new byte[BlockSize];
        byte[] plain = FilledFrames.Ethernet(0x0800, 60, 0x11);
        byte[] inner = FilledFrames.Ethernet(0x0800, 70, 0x22);
        byte[] qinq = FilledFrames.Ethernet(0x8100, 80, 0x33); // the inner 802.1Q tag stays in the data
        int first = 48;
        int second = Write(block, first, plain, status: 0x1 | 0x80, tci: 0, tpid: 0, sec: 10, nsec: 5);
        int third = Write(block, second, inner, status: 0x1 | 0x10 | 0x40, tci: 0xa02a, tpid: 0x8100, sec: 11, nsec: 6);
        Write(block, third, qinq, status: 0x1 | 0x10 | 0x40, tci: 0x0064, tpid: 0x88a8, sec: 12, nsec: 7, last: true);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(12), 3);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(16), first);

        var records = new PacketRecord[8];
        long bytes = 0;
        int count;
        int corrupt;
        fixed (byte* pointer = block)
        {
            count = BlockReader.Read(pointer, BlockSize, LinkType.Ethernet, ChecksumMode.Kernel, records, ref bytes, out corrupt);
        }

        Assert.Equal(3, count);
        Assert.Equal(0, corrupt);
        Assert.Equal(10_000_000_005L, records[0].TimestampNanoseconds);
        Assert.Equal(PacketFlags.ChecksumVerified, records[0].Flags);
        Assert.True(block.AsSpan(records[0].Offset, records[0].CaptureLength).SequenceEqual(plain));

        Assert.Equal(PacketFlags.VlanTciValid, records[1].Flags);
        Assert.Equal(0xa02a, records[1].VlanTci);
        Assert.True(block.AsSpan(records[1].Offset, records[1].CaptureLength).SequenceEqual(inner));

        // The 802.1ad tag cannot be described by the record: it is back in the frame, in front of the 802.1Q one.
        Assert.Equal(PacketFlags.None, records[2].Flags);
        Assert.Equal(qinq.Length + 4, records[2].CaptureLength);
        Assert.Equal(qinq.Length + 4, records[2].OriginalLength);
        ReadOnlySpan<byte> restored = block.AsSpan(records[2].Offset, records[2].CaptureLength);
        Assert.True(restored[..12].SequenceEqual(qinq.AsSpan(0, 12)));
        Assert.Equal(0x88a8, BinaryPrimitives.ReadUInt16BigEndian(restored[12..]));
        Assert.Equal(0x0064, BinaryPrimitives.ReadUInt16BigEndian(restored[14..]));
        Assert.True(restored[16..].SequenceEqual(qinq.AsSpan(12)));
        Assert.Equal(plain.Length + inner.Length + qinq.Length + 4, bytes);
    }

    [Fact]
    public void A_header_pointing_outside_the_block_stops_the_block_and_is_counted()
    {
        byte[] block = new byte[BlockSize];
        int next = Write(block, 48, FilledFrames.Ethernet(0x0800, 60, 1), status: 1, tci: 0, tpid: 0, sec: 1, nsec: 1);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(48), (uint)(BlockSize * 2));
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(12), 2);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(16), 48);
        _ = next;
        var records = new PacketRecord[4];
        long bytes = 0;
        int count;
        int corrupt;
        fixed (byte* pointer = block)
        {
            count = BlockReader.Read(pointer, BlockSize, LinkType.Ethernet, ChecksumMode.All, records, ref bytes, out corrupt);
        }

        Assert.Equal(1, count);
        Assert.Equal(1, corrupt);
        Assert.Equal(PacketFlags.None, records[0].Flags);
    }

    /// <summary>Writes a tpacket3_hdr at <paramref name="offset"/> with the frame at mac offset 82; returns the next header's offset.</summary>
    private static int Write(byte[] block, int offset, byte[] frame, uint status, ushort tci, ushort tpid, uint sec, uint nsec, bool last = false)
    {
        const int mac = 82;
        int next = offset + ((mac + frame.Length + 15) & ~15);
        Span<byte> header = block.AsSpan(offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header, last ? 0u : (uint)(next - offset));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], sec);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], nsec);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], status);
        BinaryPrimitives.WriteUInt16LittleEndian(header[24..], mac);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], mac + 14);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], tci);
        BinaryPrimitives.WriteUInt16LittleEndian(header[36..], tpid);
        frame.CopyTo(block.AsSpan(offset + mac));
        return next;
    }
}
