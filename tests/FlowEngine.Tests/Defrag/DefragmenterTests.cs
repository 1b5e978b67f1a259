using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Tests.Decode;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Defrag;

public sealed class DefragmenterTests
{
    private const long Second = 1_000_000_000;

    private static byte[] Datagram(int payloadLength) =>
        Udp(1000, 2000, Enumerable.Range(0, payloadLength).Select(i => (byte)i).ToArray());

    private static byte[] V4Fragment(byte[] data, int offset, bool more, ushort id = 99) =>
        Ethernet(0x0800, IPv4(17, data, id: id, flagsAndOffset: (more ? 0x2000 : 0) | offset / 8));

    private static byte[] V6Fragment(byte[] data, int offset, bool more, uint id = 0x01020304) =>
        Ethernet(0x86DD, IPv6(44, Cat([17, 0], Be16(offset | (more ? 1 : 0)), Be32(id), data)));

    [Fact]
    public void IPv4_fragments_in_order_are_reassembled_into_one_packet()
    {
        var t = new DecoderUnderTest();
        byte[] udp = Datagram(40);

        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(udp[..24], 0, more: true)));
        Assert.Equal(PacketLayerFlags.Fragment, t.Layer(0).Flags);
        Assert.Equal(0, t["decoder.udp"]);

        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(udp[24..], 24, more: false)));
        PacketLayer l = t.Layer(0);
        Assert.Equal(PacketLayerFlags.HasFlowKey | PacketLayerFlags.Reassembled, l.Flags);
        Assert.Equal(1000, l.SourcePort);
        Assert.Equal(2000, l.DestinationPort);
        Assert.Equal(40, l.PayloadLength);
        Assert.Equal(20 + udp.Length, l.IPLength);

        // The reassembled bytes: this frame's link header, a fixed-up IPv4 header, the whole datagram.
        byte[] bytes = t.LastBytes;
        Assert.Equal(14 + 20 + udp.Length, bytes.Length);
        Assert.Equal(udp, bytes[34..]);
        Assert.Equal(0, bytes[14 + 6] & 0x3F);
        Assert.Equal(0, Checksum(bytes.AsSpan(14, 20)));
        Assert.Equal(2, t["defrag.ipv4.fragments"]);
        Assert.Equal(1, t["defrag.ipv4.reassembled"]);
        Assert.Equal(1, t["decoder.udp"]);
        Assert.Equal(0, t.Defragmenter!.TrackerCount);
        Assert.Equal(0, t.Defragmenter.MemoryInUse);
    }

    [Fact]
    public void IPv4_fragments_out_of_order_are_reassembled()
    {
        var t = new DecoderUnderTest();
        byte[] udp = Datagram(56);
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(udp[48..], 48, more: false)));
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(udp[..16], 0, more: true)));
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(udp[16..48], 16, more: true)));
        Assert.Equal(udp, t.LastBytes[34..]);
        Assert.Equal(1, t["defrag.ipv4.reassembled"]);
    }

    [Fact]
    public void Bsd_policy_keeps_earlier_data_unless_the_later_fragment_starts_before_it()
    {
        var t = new DecoderUnderTest();
        byte[] udp = Datagram(40); // 48 bytes
        byte[] a = Enumerable.Repeat((byte)0xAA, 16).ToArray();
        byte[] b = Enumerable.Repeat((byte)0xBB, 24).ToArray();

        // Bytes 16..32 arrive first as A; B covers 8..32 and starts before A, so B wins there.
        // Then the head 0..16 arrives: it starts before B, so it wins over B's 8..16.
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(a, 16, more: true)));
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(b, 8, more: true)));
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(udp[..16], 0, more: true)));

        // A late copy of 24..40 starts after B: B (earlier) keeps 24..32; it adds only 32..40.
        byte[] c = Enumerable.Repeat((byte)0xCC, 16).ToArray();
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(c, 24, more: true)));
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(udp[40..], 40, more: false)));

        byte[] data = t.LastBytes[34..];
        Assert.Equal(udp[..16], data[..16]);
        Assert.All(data[16..32], x => Assert.Equal(0xBB, x));
        Assert.All(data[32..40], x => Assert.Equal(0xCC, x));
        Assert.Equal(udp[40..], data[40..]);
        Assert.True(t["decoder.event.ipv4.frag_overlap"] >= 2);
    }

    [Fact]
    public void IPv6_fragments_are_reassembled_without_the_fragment_header()
    {
        var t = new DecoderUnderTest();
        byte[] udp = Datagram(60); // 68 bytes
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V6Fragment(udp[..32], 0, more: true)));
        Assert.Equal(17, t.Layer(0).Protocol);
        Assert.Equal(DecodeResult.Ok, t.Decode(V6Fragment(udp[32..], 32, more: false)));

        PacketLayer l = t.Layer(0);
        Assert.True(l.IsIPv6);
        Assert.Equal(PacketLayerFlags.HasFlowKey | PacketLayerFlags.Reassembled, l.Flags);
        Assert.Equal(2000, l.DestinationPort);
        byte[] bytes = t.LastBytes;
        Assert.Equal(14 + 40 + udp.Length, bytes.Length);
        Assert.Equal(17, bytes[14 + 6]);
        Assert.Equal(udp.Length, bytes[14 + 4] << 8 | bytes[14 + 5]);
        Assert.Equal(udp, bytes[54..]);
        Assert.Equal(2, t["defrag.ipv6.fragments"]);
        Assert.Equal(1, t["defrag.ipv6.reassembled"]);
    }

    [Fact]
    public void IPv6_fragment_of_bad_length_is_counted_and_passed_on()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(V6Fragment(new byte[13], 0, more: true)));
        Assert.Equal(1, t["decoder.event.ipv6.frag_invalid_length"]);
        Assert.Equal(PacketLayerFlags.Fragment, t.Layer(0).Flags);
    }

    [Fact]
    public void Incomplete_datagrams_time_out()
    {
        var t = new DecoderUnderTest(defragOptions: new DefragOptions { Timeout = 10 });
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(new byte[16], 0, more: true), ns: 100 * Second));
        Assert.Equal(1, t.Defragmenter!.TrackerCount);

        t.Defragmenter.Expire(105 * Second);
        Assert.Equal(1, t.Defragmenter.TrackerCount);
        t.Defragmenter.Expire(111 * Second);
        Assert.Equal(0, t.Defragmenter.TrackerCount);
        Assert.Equal(0, t.Defragmenter.FragmentsHeld);
        Assert.Equal(0, t.Defragmenter.MemoryInUse);
        Assert.Equal(1, t["defrag.timeouts"]);

        // The tail alone, later, does not complete anything.
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(new byte[8], 16, more: false), ns: 112 * Second));
    }

    [Fact]
    public void Memcap_refuses_fragments_and_counts()
    {
        var t = new DecoderUnderTest(defragOptions: new DefragOptions { Memcap = 300 });
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(new byte[1000], 0, more: true)));
        Assert.Equal(PacketLayerFlags.Fragment, t.Layer(0).Flags);
        Assert.Equal(1, t["defrag.memcap_reached"]);
        Assert.Equal(1, t["decoder.event.ipv4.frag_ignored"]);
    }

    [Fact]
    public void Tracker_and_fragment_limits_are_counted()
    {
        var t = new DecoderUnderTest(defragOptions: new DefragOptions { Trackers = 1, MaxFragments = 2 });
        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(new byte[16], 0, more: true, id: 1)));
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(new byte[16], 0, more: true, id: 2)));
        Assert.Equal(1, t["defrag.max_trackers_reached"]);

        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(V4Fragment(new byte[16], 32, more: true, id: 1)));
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(new byte[16], 64, more: true, id: 1)));
        Assert.Equal(1, t["defrag.max_frags_reached"]);
    }

    [Fact]
    public void Without_a_defragmenter_fragments_are_passed_on_as_fragments()
    {
        var t = new DecoderUnderTest(defrag: false);
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(new byte[16], 0, more: true)));
        Assert.Equal(PacketLayerFlags.Fragment, t.Layer(0).Flags);
        Assert.Equal(0, t.Layer(0).SourcePort);

        var disabled = new DecoderUnderTest(defragOptions: new DefragOptions { Enabled = false });
        Assert.Equal(DecodeResult.Ok, disabled.Decode(V4Fragment(new byte[16], 0, more: true)));
        Assert.Equal(0, disabled["defrag.ipv4.fragments"]);
    }

    [Fact]
    public void Oversized_datagram_is_refused()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(V4Fragment(new byte[64], 65528, more: false)));
        Assert.Equal(1, t["decoder.event.ipv4.frag_pkt_too_large"]);
    }

    [Fact]
    public void Fragments_inside_a_tunnel_reassemble_with_the_outer_headers_kept()
    {
        var t = new DecoderUnderTest();
        byte[] udp = Datagram(40);
        byte[] Inner(byte[] data, int offset, bool more) => IPv4(17, data, source: [5, 5, 5, 5], id: 7, flagsAndOffset: (more ? 0x2000 : 0) | offset / 8);
        byte[] Outer(byte[] inner) => Ethernet(0x0800, IPv4(47, Cat(Be16(0), Be16(0x0800), inner)));

        Assert.Equal(DecodeResult.FragmentHeld, t.Decode(Outer(Inner(udp[..24], 0, more: true))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(DecodeResult.Ok, t.Decode(Outer(Inner(udp[24..], 24, more: false))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(2000, t.Layer(1).DestinationPort);
        Assert.Equal(14 + 20 + 4 + 20 + udp.Length, t.LastBytes.Length);
        Assert.Equal(47, t.LastBytes[14 + 9]);
    }
}
