using Capture.Abstractions;
using FlowEngine.Decode;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Decode;

public sealed class PacketDecoderLayerTests
{
    private static FlowAddress A4 => FlowAddress.FromBytes(V4A);

    private static FlowAddress B4 => FlowAddress.FromBytes(V4B);

    private static FlowAddress A6 => FlowAddress.FromBytes(V6A);

    private static FlowAddress B6 => FlowAddress.FromBytes(V6B);

    [Fact]
    public void Ethernet_IPv4_Tcp_fills_link_facts_and_one_layer()
    {
        var t = new DecoderUnderTest();
        byte[] payload = [1, 2, 3, 4, 5];
        byte[] frame = Ethernet(0x0800, IPv4(6, Tcp(40000, 80, 0x12, sequence: 7, ack: 9, payload: payload)));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));

        Assert.Equal(0x001122334455UL, t.Packet.SourceMac);
        Assert.Equal(0x66778899AABBUL, t.Packet.DestinationMac);
        Assert.Equal(0x0800, t.Packet.EtherType);
        Assert.Equal(1, t.Packet.LayerCount);
        PacketLayer l = t.Layer(0);
        Assert.Equal(A4, l.Source);
        Assert.Equal(B4, l.Destination);
        Assert.Equal(40000, l.SourcePort);
        Assert.Equal(80, l.DestinationPort);
        Assert.Equal(6, l.Protocol);
        Assert.False(l.IsIPv6);
        Assert.Equal(0x12, l.TcpFlags);
        Assert.Equal(7u, l.TcpSequence);
        Assert.Equal(9u, l.TcpAcknowledgement);
        Assert.Equal(14, l.NetworkOffset);
        Assert.Equal(34, l.TransportOffset);
        Assert.Equal(54, l.PayloadOffset);
        Assert.Equal(5, l.PayloadLength);
        Assert.Equal(45, l.IPLength);
        Assert.Equal(PacketLayerFlags.HasFlowKey, l.Flags);
        Assert.Equal(1, t["decoder.pkts"]);
        Assert.Equal(frame.Length, t["decoder.bytes"]);
        Assert.Equal(1, t["decoder.ethernet"]);
        Assert.Equal(1, t["decoder.ipv4"]);
        Assert.Equal(1, t["decoder.tcp"]);
        Assert.Equal(1, t["tcp.synack"]);
        Assert.Equal(0, t.Counters.Invalid);
        Assert.Equal(0, t.Counters.DecoderErrors);
    }

    [Fact]
    public void Ethernet_padding_is_not_payload()
    {
        var t = new DecoderUnderTest();
        byte[] frame = Cat(Ethernet(0x0800, IPv4(17, Udp(53, 5353, [9]))), new byte[20]);

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t.Layer(0).PayloadLength);
        Assert.Equal(1, t["decoder.udp"]);
    }

    [Fact]
    public void Vlan_stack_keeps_three_ids_and_counts_deeper_tags()
    {
        var t = new DecoderUnderTest();
        byte[] ip = IPv4(17, Udp(1, 2, [0]));
        byte[] frame = Ethernet(0x88A8, Vlan(0x2000 | 10, 0x8100, Vlan(20, 0x8100, Vlan(30, 0x8100, Vlan(40, 0x0800, ip)))));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(3, l.VlanCount);
        Assert.Equal(10, l.Vlan0);
        Assert.Equal(20, l.Vlan1);
        Assert.Equal(30, l.Vlan2);
        Assert.Equal(1, t["decoder.vlan"]);
        Assert.Equal(1, t["decoder.vlan_qinq"]);
        Assert.Equal(1, t["decoder.vlan_qinqinq"]);
        Assert.Equal(1, t["decoder.event.vlan.too_many_layers"]);
        Assert.Equal(0x0800, t.Packet.EtherType);
    }

    [Fact]
    public void Capture_stripped_vlan_tag_is_the_outermost_id()
    {
        var t = new DecoderUnderTest();
        byte[] frame = Ethernet(0x8100, Vlan(200, 0x0800, IPv4(17, Udp(1, 2, [0]))));
        PacketRecord record = Record(frame);
        record.VlanTci = 0x3000 | 100;
        record.Flags = PacketFlags.VlanTciValid;

        Assert.Equal(DecodeResult.Ok, t.Decode(frame, record));
        Assert.Equal(2, t.Layer(0).VlanCount);
        Assert.Equal(100, t.Layer(0).Vlan0);
        Assert.Equal(200, t.Layer(0).Vlan1);
    }

    [Fact]
    public void Mpls_labels_then_IPv4()
    {
        var t = new DecoderUnderTest();
        byte[] frame = Ethernet(0x8847, Cat(Be32(1000 << 12 | 64), Be32(2000u << 12 | 0x100 | 64), IPv4(6, Tcp(1, 2, 0x10))));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t["decoder.mpls"]);
        Assert.Equal(0x0800, t.Packet.EtherType);
        Assert.Equal(22, t.Layer(0).NetworkOffset);
    }

    [Fact]
    public void Average_and_largest_packet_size_are_derived_as_suricata_does_and_merge_by_maximum()
    {
        var t = new DecoderUnderTest();
        byte[] small = EthIPv4Tcp(); // fast path
        byte[] large = Ethernet(0x8100, Vlan(5, 0x0800, IPv4(17, Udp(1, 2, new byte[100])))); // general walk after the tag
        t.Decode(small);
        t.Decode(large);
        t.Decode(small);

        Assert.Equal(large.Length, t["decoder.max_pkt_size"]);
        Assert.Equal((2 * small.Length + large.Length) / 3, t["decoder.avg_pkt_size"]);

        var total = new DecoderCounters();
        total.Add(t.Counters);
        total.Add(t.Counters);
        Assert.Equal(large.Length, total.Get("decoder.max_pkt_size"));
        Assert.Equal((2 * small.Length + large.Length) / 3, total.Get("decoder.avg_pkt_size"));
    }

    [Fact]
    public void Etag_then_IPv4_is_counted_with_suricatas_name()
    {
        var t = new DecoderUnderTest();
        // The frame of suricata-verify's decode-etag-01: E-TCI 1000 00d3 0000, then IPv4.
        byte[] frame = Ethernet(0x893F, Cat([0x10, 0x00, 0x00, 0xd3, 0x00, 0x00], Be16(0x0800), IPv4(6, Tcp(443, 52566, 0x10))));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t["decoder.etag"]);
        Assert.Equal(1, t["decoder.ipv4"]);
        Assert.Equal(1, t["decoder.tcp"]);
        Assert.Equal(22, t.Layer(0).NetworkOffset);
        Assert.Equal(DecodeResult.Truncated, t.Decode(Ethernet(0x893F, [0x10, 0x00, 0x00])));
        Assert.Equal(1, t["decoder.event.etag.header_too_small"]);
    }

    [Fact]
    public void Vntag_then_vlan_then_IPv4_counts_each_header()
    {
        var t = new DecoderUnderTest();
        byte[] frame = Ethernet(0x8926, Cat(Be32(0x8001_0002), Be16(0x8100), Vlan(10, 0x0800, IPv4(17, Udp(7, 8, [1])))));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t["decoder.vntag"]);
        Assert.Equal(1, t["decoder.vlan"]);
        Assert.Equal(1, t["decoder.ipv4"]);
        Assert.Equal(10, t.Layer(0).Vlan0);
        Assert.Equal(DecodeResult.Truncated, t.Decode(Ethernet(0x8926, [0x80, 0x01])));
        Assert.Equal(1, t["decoder.event.vntag.header_too_small"]);
    }

    [Fact]
    public void Nsh_md_type_2_then_IPv4_and_bad_headers_counted_as_suricata()
    {
        var t = new DecoderUnderTest();
        // Version 0, length 2 words (8 bytes), MD type 2, next protocol 1 (IPv4); service path 0x000001ff.
        byte[] nsh = [0x00, 0x02, 0x02, 0x01, 0x00, 0x00, 0x01, 0xff];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x894F, Cat(nsh, IPv4(17, Udp(52377, 52464, [1]))))));
        Assert.Equal(1, t["decoder.nsh"]);
        Assert.Equal(1, t["decoder.ipv4"]);
        Assert.Equal(1, t["decoder.udp"]);
        Assert.Equal(52377, t.Layer(0).SourcePort);

        Assert.Equal(DecodeResult.Truncated, t.Decode(Ethernet(0x894F, [0x00, 0x02])));
        Assert.Equal(1, t["decoder.event.nsh.header_too_small"]);
        Assert.Equal(DecodeResult.Malformed, t.Decode(Ethernet(0x894F, [0x40, 0x02, 0x02, 0x01, 0, 0, 0, 0])));
        Assert.Equal(1, t["decoder.event.nsh.unsupported_version"]);
        Assert.Equal(DecodeResult.Malformed, t.Decode(Ethernet(0x894F, [0x00, 0x02, 0x01, 0x01, 0, 0, 0, 0])));
        Assert.Equal(1, t["decoder.event.nsh.bad_header_length"]);
        t.Decode(Ethernet(0x894F, [0x00, 0x02, 0x02, 0x09, 0, 0, 0, 0]));
        Assert.Equal(1, t["decoder.event.nsh.unknown_payload"]);
    }

    [Fact]
    public void Mpls_ethernet_pseudowire_decodes_the_inner_frame()
    {
        var t = new DecoderUnderTest();
        byte[] inner = Ethernet(0x0800, IPv4(17, Udp(7, 8, [1])));
        byte[] frame = Ethernet(0x8847, Cat(Be32(3000u << 12 | 0x100 | 64), [0, 0, 0, 0], inner));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(2, t["decoder.ethernet"]);
        Assert.Equal(1, t["decoder.udp"]);
        Assert.Equal(7, t.Layer(0).SourcePort);
    }

    [Fact]
    public void Pppoe_session_carries_IPv6()
    {
        var t = new DecoderUnderTest();
        byte[] ip = IPv6(17, Udp(546, 547, [1, 2]));
        byte[] frame = Ethernet(0x8864, Cat([0x11, 0x00], Be16(0x1234), Be16(ip.Length + 2), Be16(0x0057), ip));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t["decoder.pppoe"]);
        Assert.Equal(1, t["decoder.ipv6"]);
        Assert.True(t.Layer(0).IsIPv6);
        Assert.Equal(A6, t.Layer(0).Source);
        Assert.Equal(547, t.Layer(0).DestinationPort);
        Assert.Equal(0x86DD, t.Packet.EtherType);
    }

    [Fact]
    public void Pppoe_discovery_and_arp_are_counted_without_layers()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0806, new byte[28])));
        Assert.Equal(0, t.Packet.LayerCount);
        Assert.Equal(0x0806, t.Packet.EtherType);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x8863, new byte[10])));
        Assert.Equal(1, t["decoder.arp"]);
        Assert.Equal(1, t["decoder.pppoe"]);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x88CC, new byte[10])));
        Assert.Equal(1, t["decoder.unknown_ethertype"]);
    }

    [Fact]
    public void IPv4_options_are_validated_as_suricata_does()
    {
        var t = new DecoderUnderTest();
        byte[] good = [0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]; // router alert, no-ops, end of list
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(1, 2, [0]), options: good))));
        Assert.Equal(0, t.Counters.DecoderErrors);
        Assert.Equal(2, t.Layer(0).DestinationPort);

        // Four bytes of options: Suricata wants them padded to 8 (an event, decoding goes on).
        byte[] unpadded = [0x94, 0x04, 0x00, 0x00];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(1, 2, [0]), options: unpadded))));
        Assert.Equal(1, t["decoder.event.ipv4.opt_pad_required"]);
        Assert.Equal(0, t.Counters.Invalid);

        // A security option of 2 bytes (it is 11): an invalid length that counts the packet invalid, which still decodes.
        byte[] security = [0x82, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x10), options: security))));
        Assert.Equal(1, t["decoder.event.ipv4.opt_invalid_len"]);
        Assert.Equal(1, t.Counters.Invalid);
        Assert.Equal(1, t.Packet.LayerCount);

        // A record route with a pointer below 4: malformed, decoding goes on (the valid one after it is no duplicate); an unknown kind is an event.
        byte[] route = [0x07, 0x07, 0x03, 0, 0, 0, 0, 0x07, 0x07, 0x04, 0, 0, 0, 0, 0x63, 0x02];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(1, 2, [0]), options: route))));
        Assert.Equal(1, t["decoder.event.ipv4.opt_malformed"]);
        Assert.Equal(1, t["decoder.event.ipv4.opt_invalid"]);

        // An option claiming more bytes than the header has fails the packet.
        byte[] overrun = [0x07, 0x09, 0x04, 0x00];
        Assert.Equal(DecodeResult.InvalidLength, t.Decode(Ethernet(0x0800, IPv4(17, Udp(1, 2, [0]), options: overrun))));
        Assert.Equal(2, t["decoder.event.ipv4.opt_invalid_len"]);
        Assert.Equal(0, t.Packet.LayerCount);
    }

    [Fact]
    public void IPv6_extension_headers_are_walked_to_the_transport()
    {
        var t = new DecoderUnderTest();
        byte[] tcp = Tcp(443, 50000, 0x10);
        byte[] destination = Cat([6, 0], [1, 4, 0, 0, 0, 0]); // PadN
        byte[] routing = Cat([60, 0], [2, 0], [0, 0, 0, 0]);
        byte[] hop = Cat([43, 0], [1, 4, 0, 0, 0, 0]);
        byte[] frame = Ethernet(0x86DD, IPv6(0, Cat(hop, routing, destination, tcp)));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(6, l.Protocol);
        Assert.Equal(443, l.SourcePort);
        Assert.Equal(14 + 40 + 24, l.TransportOffset);
        Assert.Equal(0, t.Counters.DecoderErrors);
    }

    [Theory]
    [InlineData(70_000u, DecodeResult.Ok)]
    [InlineData(65_535u, DecodeResult.InvalidLength)]
    [InlineData(100u, DecodeResult.InvalidLength)]
    public void IPv6_zero_payload_length_needs_a_jumbo_option_above_65535(uint jumbo, DecodeResult expected)
    {
        // A jumbogram cut by the capture: payload length 0, the length in a hop-by-hop Jumbo Payload option.
        var t = new DecoderUnderTest();
        byte[] hop = Cat([17, 0], [0xC2, 4], Be32(jumbo));
        byte[] ip = IPv6(0, Cat(hop, Udp(53, 5353, new byte[64])));
        ip[4] = 0;
        ip[5] = 0;
        byte[] frame = Ethernet(0x86DD, ip);
        PacketRecord record = Record(frame);
        record.OriginalLength = 14 + 40 + (int)jumbo;

        Assert.Equal(expected, t.Decode(frame, record));
        Assert.Equal(expected == DecodeResult.Ok ? 0 : 1, t["decoder.event.ipv6.jumbo_without_option"]);
        if (expected == DecodeResult.Ok)
        {
            Assert.Equal(5353, t.Layer(0).DestinationPort);
        }
    }

    [Fact]
    public void IPv6_auth_header_then_udp_and_esp_by_spi()
    {
        var t = new DecoderUnderTest();
        byte[] ah = Cat([17, 4], [0, 0], Be32(0x100), Be32(1), new byte[12]);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(51, Cat(ah, Udp(500, 4500, [1]))))));
        Assert.Equal(17, t.Layer(0).Protocol);
        Assert.Equal(4500, t.Layer(0).DestinationPort);

        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(50, Cat(Be32(0xAABBCCDD), Be32(1), new byte[16])))));
        Assert.Equal(50, t.Layer(0).Protocol);
        Assert.Equal(0xAABB, t.Layer(0).SourcePort);
        Assert.Equal(0xCCDD, t.Layer(0).DestinationPort);
        Assert.Equal(1, t["decoder.esp"]);
    }

    [Fact]
    public void IPv6_routing_type_0_and_duplicate_headers_are_counted()
    {
        var t = new DecoderUnderTest();
        byte[] routing0 = Cat([43, 0], [0, 0], [0, 0, 0, 0]);
        byte[] routing = Cat([17, 0], [2, 0], [0, 0, 0, 0]);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(43, Cat(routing0, routing, Udp(1, 2, [0]))))));
        Assert.Equal(1, t["decoder.event.ipv6.rh_type_0"]);
        Assert.Equal(1, t["decoder.event.ipv6.exthdr_dupl_rh"]);
        Assert.Equal(2, t.Layer(0).DestinationPort);
    }

    [Fact]
    public void IPv6_atomic_fragment_decodes_on()
    {
        var t = new DecoderUnderTest();
        byte[] fragment = Cat([17, 0], Be16(0), Be32(77));
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(44, Cat(fragment, Udp(1, 2, [0]))))));
        Assert.Equal(1, t["decoder.event.ipv6.exthdr_useless_fh"]);
        Assert.Equal(PacketLayerFlags.HasFlowKey, t.Layer(0).Flags);
    }

    [Fact]
    public void Sctp_ports()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(132, Cat(Be16(2905), Be16(2906), Be32(1), Be32(0), new byte[16])))));
        Assert.Equal(2905, t.Layer(0).SourcePort);
        Assert.Equal(2906, t.Layer(0).DestinationPort);
        Assert.Equal(1, t["decoder.sctp"]);
    }

    [Fact]
    public void Icmpv4_error_is_attributed_to_the_embedded_flow_in_its_direction()
    {
        var t = new DecoderUnderTest();

        // B sent UDP 5000 -> 53 to A's network; a router (source C) tells B it was unreachable.
        byte[] quoted = IPv4(17, Udp(5000, 53, [1, 2, 3, 4]), source: V4B, destination: V4A);
        byte[] icmp = Cat([3, 3, 0, 0, 0, 0, 0, 0], quoted);
        byte[] frame = Ethernet(0x0800, IPv4(1, icmp, source: [172, 16, 0, 1], destination: V4B));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(B4, l.Source);
        Assert.Equal(A4, l.Destination);
        Assert.Equal(17, l.Protocol);
        Assert.Equal(5000, l.SourcePort);
        Assert.Equal(53, l.DestinationPort);
        Assert.Equal(3, l.IcmpType);
        Assert.Equal(3, l.IcmpCode);
        Assert.Equal(PacketLayerFlags.HasFlowKey | PacketLayerFlags.IcmpErrorForEmbedded, l.Flags);
    }

    [Fact]
    public void Icmpv4_error_with_a_short_quote_stays_plain_icmp_and_counts()
    {
        var t = new DecoderUnderTest();
        byte[] frame = Ethernet(0x0800, IPv4(1, Cat([11, 0, 0, 0, 0, 0, 0, 0], new byte[10])));
        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(1, t["decoder.event.icmpv4.ipv4_trunc_pkt"]);
        Assert.Equal(1, t.Layer(0).Protocol);
        Assert.Equal(11, t.Layer(0).SourcePort);
        Assert.Equal(0, t.Layer(0).DestinationPort);
        Assert.Equal(PacketLayerFlags.HasFlowKey, t.Layer(0).Flags);
    }

    [Theory]
    [InlineData(3, 2, 47)] // protocol unreachable about a GRE packet
    [InlineData(3, 2, 4)] // ... an IP-in-IP packet
    [InlineData(3, 3, 1)] // port unreachable about an echo request
    [InlineData(11, 0, 17)] // time exceeded about UDP: Suricata attributes destination unreachable only
    [InlineData(5, 1, 6)] // redirect about TCP
    public void Icmpv4_error_about_anything_but_tcp_or_udp_or_other_than_unreachable_stays_plain_icmp(byte type, byte code, byte quotedProtocol)
    {
        var t = new DecoderUnderTest();
        byte[] transport = quotedProtocol switch
        {
            6 => Tcp(33000, 443, 0x02),
            17 => Udp(5000, 53, [1, 2, 3, 4]),
            1 => [8, 0, 0, 0, 0, 9, 0, 1],
            47 => Cat(Be16(0), Be16(0x0800), IPv4(6, Tcp(33000, 443, 0x02))),
            _ => IPv4(17, Udp(5000, 53, [1])),
        };
        byte[] quoted = IPv4(quotedProtocol, transport, source: V4B, destination: V4A);
        byte[] frame = Ethernet(0x0800, IPv4(1, Cat([type, code, 0, 0, 0, 0, 0, 0], quoted), source: V4A, destination: V4B));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(PacketLayerFlags.HasFlowKey, l.Flags);
        Assert.Equal(1, l.Protocol);
        Assert.Equal(A4, l.Source);
        Assert.Equal(B4, l.Destination);
        Assert.Equal(type, l.SourcePort);
        Assert.Equal(0, t["decoder.event.icmpv4.ipv4_trunc_pkt"]);
    }

    [Fact]
    public void Icmpv4_unreachable_quoting_a_tcp_header_cut_short_stays_plain_icmp()
    {
        // The first 8 bytes of TCP, as many routers quote: Suricata wants the whole header (its emb_tcph).
        var t = new DecoderUnderTest();
        byte[] quoted = IPv4(6, Tcp(33000, 443, 0x02), source: V4B, destination: V4A)[..28];
        byte[] frame = Ethernet(0x0800, IPv4(1, Cat([3, 3, 0, 0, 0, 0, 0, 0], quoted), source: V4A, destination: V4B));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(PacketLayerFlags.HasFlowKey, t.Layer(0).Flags);
        Assert.Equal(1, t.Layer(0).Protocol);
        Assert.Equal(0, t["decoder.event.icmpv4.ipv4_trunc_pkt"]);
    }

    [Fact]
    public void Icmpv6_error_about_a_gre_packet_stays_plain_icmpv6()
    {
        var t = new DecoderUnderTest();
        byte[] quoted = IPv6(47, Cat(Be16(0), Be16(0x86DD), IPv6(6, Tcp(33000, 443, 0x02))), source: V6B, destination: V6A);
        byte[] frame = Ethernet(0x86DD, IPv6(58, Cat([1, 0, 0, 0, 0, 0, 0, 0], quoted), source: V6A, destination: V6B));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(PacketLayerFlags.HasFlowKey, l.Flags);
        Assert.Equal(58, l.Protocol);
        Assert.Equal(A6, l.Source);
        Assert.Equal(0, t["decoder.event.icmpv6.ipv6_trunc_pkt"]);
    }

    [Fact]
    public void Icmpv6_echo_and_neighbour_solicitation()
    {
        var t = new DecoderUnderTest();
        // Suricata's ICMPv6 "ports": the type and code, and the type of the answer; the echo id is no part of them.
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([128, 0, 0, 0], Be16(9), Be16(1))))));
        Assert.Equal(128 << 8, t.Layer(0).SourcePort);
        Assert.Equal(129 << 8, t.Layer(0).DestinationPort);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([135, 0, 0, 0, 0, 0, 0, 0], V6B)))));
        Assert.Equal(135 << 8, t.Layer(0).SourcePort);
        Assert.Equal(136 << 8, t.Layer(0).DestinationPort);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([143, 7, 0, 0, 0, 0, 0, 0])))));
        Assert.Equal((143 << 8) | 7, t.Layer(0).SourcePort);
        Assert.Equal(0, t.Layer(0).DestinationPort);
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(0, 8)]
    [InlineData(13, 14)]
    [InlineData(17, 18)]
    [InlineData(3, 0)]
    [InlineData(11, 0)]
    public void Icmpv4_ports_are_the_type_and_the_type_of_its_answer_as_suricata_keys_icmp(byte type, int answer)
    {
        var t = new DecoderUnderTest();
        // Destination unreachable and time exceeded quote a UDP packet cut short: no attribution, plain ICMP.
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(1, Cat([type, 3, 0, 0], Be16(77), Be16(1))))));
        Assert.Equal(type, t.Layer(0).SourcePort);
        Assert.Equal(answer, t.Layer(0).DestinationPort);
        Assert.Equal(type, t.Layer(0).IcmpType);
        Assert.Equal(3, t.Layer(0).IcmpCode);
    }

    [Fact]
    public void Gre_carries_an_IPv4_packet_one_tunnel_deeper()
    {
        var t = new DecoderUnderTest();
        byte[] inner = IPv4(6, Tcp(1111, 22, 0x02), source: [1, 1, 1, 1], destination: [2, 2, 2, 2]);
        byte[] gre = Cat(Be16(0x2000 | 0x1000), Be16(0x0800), Be32(42), Be32(7), inner); // key and sequence
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(47, gre))));

        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(47, t.Layer(0).Protocol);

        // As Suricata: the GRE packet keys no flow, the packet inside it does.
        Assert.Equal(PacketLayerFlags.CarriesTunnel, t.Layer(0).Flags);
        Assert.True(t.Layer(1).Flags.HasFlag(PacketLayerFlags.HasFlowKey));
        Assert.Equal(0, t.Layer(0).TunnelDepth);
        Assert.Equal(1, t.Layer(1).TunnelDepth);
        Assert.Equal(FlowAddress.FromBytes([1, 1, 1, 1]), t.Layer(1).Source);
        Assert.Equal(22, t.Layer(1).DestinationPort);
        Assert.Equal(14 + 20 + 12, t.Layer(1).NetworkOffset);
        Assert.Equal(1, t["decoder.gre"]);
        Assert.Equal(2, t["decoder.ipv4"]);
    }

    [Fact]
    public void Gre_bridged_ethernet_inner_layer_has_its_own_vlan()
    {
        var t = new DecoderUnderTest();
        byte[] inner = Ethernet(0x8100, Vlan(77, 0x0800, IPv4(17, Udp(1, 2, [0]))));
        byte[] frame = Ethernet(0x8100, Vlan(5, 0x0800, IPv4(47, Cat(Be16(0), Be16(0x6558), inner))));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(5, t.Layer(0).Vlan0);
        Assert.Equal(1, t.Layer(0).VlanCount);
        Assert.Equal(77, t.Layer(1).Vlan0);
        Assert.Equal(1, t.Layer(1).VlanCount);
        Assert.Equal(0x66778899AABBUL, t.Packet.DestinationMac);
    }

    [Fact]
    public void Gre_without_a_packet_inside_keeps_its_own_flow_key()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(47, Cat(Be16(0), Be16(0x0800))))));
        Assert.Equal(1, t.Packet.LayerCount);
        Assert.True(t.Layer(0).Flags.HasFlag(PacketLayerFlags.HasFlowKey));
    }

    [Fact]
    public void Gre_wrong_version_is_counted()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Malformed, t.Decode(Ethernet(0x0800, IPv4(47, Cat(Be16(3), Be16(0x0800), new byte[20])))));
        Assert.Equal(1, t["decoder.event.gre.wrong_version"]);
        Assert.Equal(1, t.Counters.Invalid);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Erspan_types_decode_the_mirrored_frame(int type)
    {
        var t = new DecoderUnderTest();
        byte[] mirrored = Ethernet(0x0800, IPv4(17, Udp(123, 123, [0]), source: [3, 3, 3, 3]));
        byte[] gre = type switch
        {
            1 => Cat(Be16(0), Be16(0x88BE), mirrored),
            2 => Cat(Be16(0x1000), Be16(0x88BE), Be32(1), [0x10, 0x00, 0x00, 0x01], Be32(0), mirrored),
            _ => Cat(Be16(0x1000), Be16(0x22EB), Be32(1), [0x20, 0x00, 0x00, 0x01], Be32(0), [0, 0, 0, 0], mirrored),
        };
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(47, gre))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(FlowAddress.FromBytes([3, 3, 3, 3]), t.Layer(1).Source);
        Assert.Equal(1, t["decoder.erspan"]);
        Assert.False(t.Layer(0).Flags.HasFlag(PacketLayerFlags.HasFlowKey));
    }

    [Fact]
    public void Vxlan_inner_frame_becomes_the_second_layer()
    {
        var t = new DecoderUnderTest();
        byte[] inner = Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x02), source: [9, 9, 9, 9]));
        byte[] frame = Ethernet(0x0800, IPv4(17, Udp(55555, 4789, Cat([0x08, 0, 0, 0], [0, 0, 1, 0], inner))));
        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(4789, t.Layer(0).DestinationPort);
        Assert.True(t.Layer(0).Flags.HasFlag(PacketLayerFlags.CarriesTunnel));
        Assert.Equal(FlowAddress.FromBytes([9, 9, 9, 9]), t.Layer(1).Source);
        Assert.Equal(1, t["decoder.vxlan"]);
    }

    [Theory]
    [InlineData(new[] { 8472, 4789 }, 8472, 2)]
    [InlineData(new[] { 8472, 4789 }, 4789, 2)]
    [InlineData(new[] { 8472 }, 4789, 1)]
    [InlineData(new int[0], 4789, 1)]
    public void Vxlan_is_decoded_on_the_configured_ports_only(int[] ports, int port, int layers)
    {
        foreach (bool fastPath in new[] { true, false })
        {
            var t = new DecoderUnderTest(options: new DecoderOptions { VxlanPorts = ports, FastPath = fastPath });
            byte[] inner = Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x02), source: [9, 9, 9, 9]));
            byte[] frame = Ethernet(0x0800, IPv4(17, Udp(55555, (ushort)port, Cat([0x08, 0, 0, 0], [0, 0, 1, 0], inner))));
            Assert.Equal(DecodeResult.Ok, t.Decode(frame));
            Assert.Equal(layers, t.Packet.LayerCount);
            Assert.Equal(layers - 1, t["decoder.vxlan"]);
        }
    }

    [Fact]
    public void More_than_four_vxlan_ports_or_a_port_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecoderOptions { VxlanPorts = [1, 2, 3, 4, 5] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecoderOptions { VxlanPorts = [0] });
    }

    [Fact]
    public void Geneve_with_options_carries_IPv6()
    {
        var t = new DecoderUnderTest();
        byte[] inner = IPv6(17, Udp(1, 2, [0]));
        byte[] geneve = Cat([0x01, 0], Be16(0x86DD), [0, 0, 1, 0], new byte[4], inner);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(1000, 6081, geneve)))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.True(t.Layer(1).IsIPv6);
        Assert.Equal(1, t["decoder.geneve"]);
    }

    [Fact]
    public void Teredo_with_origin_indication()
    {
        var t = new DecoderUnderTest();
        byte[] inner = IPv6(59, []);
        byte[] teredo = Cat([0, 0], new byte[6], inner);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(3544, 40000, teredo)))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(1, t["decoder.teredo"]);

        // UDP to the Teredo port that is not one IPv6 packet is just UDP.
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(17, Udp(3544, 40000, new byte[50])))));
        Assert.Equal(1, t.Packet.LayerCount);
    }

    [Fact]
    public void Ip_in_ip_variants_add_layers_and_count()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(4, IPv4(17, Udp(1, 2, [0]))))));
        Assert.Equal(2, t.Packet.LayerCount);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(41, IPv6(17, Udp(1, 2, [0]))))));
        Assert.True(t.Layer(1).IsIPv6);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(4, IPv4(17, Udp(1, 2, [0]))))));
        Assert.False(t.Layer(1).IsIPv6);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(41, IPv6(6, Tcp(1, 2, 0x02))))));
        Assert.Equal(6, t.Layer(1).Protocol);
        Assert.Equal(1, t["decoder.ipv4_in_ipv4"]);
        Assert.Equal(1, t["decoder.ipv6_in_ipv4"]);
        Assert.Equal(1, t["decoder.ipv4_in_ipv6"]);
        Assert.Equal(1, t["decoder.ipv6_in_ipv6"]);
    }

    [Fact]
    public void Tunnels_deeper_than_the_layer_limit_are_counted()
    {
        var t = new DecoderUnderTest();
        byte[] ip = IPv4(17, Udp(1, 2, [0]));
        for (int i = 0; i < DecodedPacket.MaxLayers; i++)
        {
            ip = IPv4(4, ip);
        }

        Assert.Equal(DecodeResult.TooManyLayers, t.Decode(Ethernet(0x0800, ip)));
        Assert.Equal(DecodedPacket.MaxLayers, t.Packet.LayerCount);
        Assert.Equal(1, t["decoder.too_many_layers"]);
        Assert.Equal(1, t.Counters.Invalid);
    }

    [Fact]
    public void Tunnel_depth_option_limits_layers()
    {
        var t = new DecoderUnderTest(options: new DecoderOptions { MaxTunnelDepth = 0 });
        Assert.Equal(DecodeResult.TooManyLayers, t.Decode(Ethernet(0x0800, IPv4(4, IPv4(17, Udp(1, 2, [0]))))));
        Assert.Equal(1, t.Packet.LayerCount);
    }

    [Theory]
    [InlineData(LinkType.Raw, 4)]
    [InlineData(LinkType.Raw, 6)]
    [InlineData(LinkType.IPv4, 4)]
    [InlineData(LinkType.IPv6, 6)]
    public void Raw_ip_link_types(LinkType linkType, int version)
    {
        var t = new DecoderUnderTest();
        byte[] ip = version == 4 ? IPv4(17, Udp(1, 2, [0])) : IPv6(17, Udp(1, 2, [0]));
        Assert.Equal(DecodeResult.Ok, t.Decode(ip, linkType));
        Assert.Equal(version == 6, t.Layer(0).IsIPv6);
        Assert.Equal(0, t.Layer(0).NetworkOffset);
        Assert.Equal(0UL, t.Packet.SourceMac);
    }

    [Fact]
    public void Linux_cooked_v1_and_v2()
    {
        var t = new DecoderUnderTest();
        byte[] ip = IPv4(6, Tcp(1, 2, 0x10));
        byte[] sll = Cat(Be16(0), Be16(1), Be16(6), MacA, [0, 0], Be16(0x0800), ip);
        Assert.Equal(DecodeResult.Ok, t.Decode(sll, LinkType.LinuxSll));
        Assert.Equal(16, t.Layer(0).NetworkOffset);

        byte[] sll2 = Cat(Be16(0x86DD), Be16(0), Be32(3), Be16(1), [0, 6], MacA, [0, 0], IPv6(6, Tcp(1, 2, 0x10)));
        Assert.Equal(DecodeResult.Ok, t.Decode(sll2, LinkType.LinuxSll2));
        Assert.Equal(20, t.Layer(0).NetworkOffset);
        Assert.True(t.Layer(0).IsIPv6);
        Assert.Equal(1, t["decoder.sll"]);
        Assert.Equal(1, t["decoder.sll2"]);
    }

    [Fact]
    public void A_packet_keeps_the_decoder_events_it_raised_by_their_suricata_names()
    {
        var t = new DecoderUnderTest();
        byte[] badUdp = IPv4(17, Udp(1, 2, [0]));
        badUdp[20 + 4] = 0;
        badUdp[20 + 5] = 4;
        Assert.Equal(DecodeResult.InvalidLength, t.Decode(Ethernet(0x0800, badUdp), LinkType.Ethernet));
        Assert.Equal(1, t.Packet.EventCount);
        Assert.Equal("udp.len_invalid", DecoderEvents.Name(t.Packet.EventCodes[0]));
        Assert.Equal("decoder.udp.len_invalid", DecoderEvents.AnomalyName(t.Packet.EventCodes[0]));
        Assert.Equal(1, t["decoder.event.udp.len_invalid"]);

        // Router advertisement (9) is no type Suricata knows; echo with code 1 has an unknown code.
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(1, [9, 0, 0, 0, 0, 0, 0, 0])), LinkType.Ethernet));
        Assert.Equal("icmpv4.unknown_type", DecoderEvents.Name(t.Packet.EventCodes[0]));
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(1, [8, 1, 0, 0, 0, 0, 0, 0])), LinkType.Ethernet));
        Assert.Equal("icmpv4.unknown_code", DecoderEvents.Name(t.Packet.EventCodes[0]));
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(1, [8, 0, 0, 0, 0, 0, 0, 0])), LinkType.Ethernet));
        Assert.Equal(0, t.Packet.EventCount);
        Assert.True(DecoderEvents.TryGetCode("ipv6.ipv4_in_ipv6_wrong_version", out _));
        Assert.False(DecoderEvents.TryGetCode("decoder.ipv4.trunc_pkt", out _));
    }

    [Fact]
    public void Igmp_is_counted_and_checked_as_suricata_checks_it()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(2, [0x16, 0, 0, 0, 224, 0, 0, 1])), LinkType.Ethernet));
        Assert.Equal(2, t.Layer(0).Protocol);
        Assert.Equal(0, t.Layer(0).PayloadLength);
        Assert.Equal(DecodeResult.Truncated, t.Decode(Ethernet(0x0800, IPv4(2, [0x11, 0, 0, 0])), LinkType.Ethernet));
        Assert.Equal(DecodeResult.Truncated, t.Decode(Ethernet(0x0800, IPv4(2, [0x11, 0, 0, 0, 0, 0, 0, 0, 1, 2])), LinkType.Ethernet));

        // An IGMPv3 report announcing one group record with two sources, but carrying none.
        Assert.Equal(DecodeResult.Malformed, t.Decode(Ethernet(0x0800, IPv4(2, [0x22, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 2, 224, 0, 0, 1])), LinkType.Ethernet));
        Assert.Equal(4, t["decoder.igmp"]);
        Assert.Equal(1, t["decoder.event.igmp.pkt_too_small"]);
        Assert.Equal(1, t["decoder.event.igmp.v3_pkt_too_small"]);
        Assert.Equal(1, t["decoder.event.igmp.malformed"]);
    }

    [Fact]
    public void Cisco_hdlc_names_its_payload_by_ethertype()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([0x0F, 0], Be16(0x0800), IPv4(6, Tcp(1, 2, 0x10))), LinkType.CiscoHdlc));
        Assert.Equal(4, t.Layer(0).NetworkOffset);
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([0x8F, 0], Be16(0x86DD), IPv6(17, Udp(1, 2, [0]))), LinkType.CiscoHdlc));
        Assert.True(t.Layer(0).IsIPv6);
        Assert.Equal(DecodeResult.Truncated, t.Decode([0x0F, 0, 8], LinkType.CiscoHdlc));
        Assert.Equal(3, t["decoder.chdlc"]);
        Assert.Equal(1, t["decoder.event.chdlc.pkt_too_small"]);
        Assert.Equal(1, t["decoder.ipv4"]);
    }

    [Fact]
    public void Null_loopback_in_either_byte_order_and_openbsd_loop()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([2, 0, 0, 0], IPv4(17, Udp(1, 2, [0]))), LinkType.Null));
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([0, 0, 0, 30], IPv6(17, Udp(1, 2, [0]))), LinkType.Null));
        Assert.True(t.Layer(0).IsIPv6);
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([0, 0, 0, 24], IPv6(17, Udp(1, 2, [0]))), LinkType.Loop));
        Assert.Equal(4, t.Layer(0).NetworkOffset);
        Assert.Equal(DecodeResult.Ok, t.Decode(Cat([99, 0, 0, 0], new byte[20]), LinkType.Null));
        Assert.Equal(1, t["decoder.event.ltnull.unsupported_type"]);
    }

    [Fact]
    public void Unsupported_link_type_is_counted()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.UnsupportedLinkType, t.Decode(new byte[40], (LinkType)127));
        Assert.Equal(1, t["decoder.event.link.unsupported_type"]);
        Assert.Equal(1, t.Counters.Invalid);
    }

    [Fact]
    public void Tcp_options_bounds_and_duplicates()
    {
        var t = new DecoderUnderTest();
        byte[] good = [2, 4, 5, 0xB4, 1, 3, 3, 7, 4, 2, 0, 0];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x02, options: good)))));
        Assert.Equal(0, t.Counters.DecoderErrors);

        byte[] timestamps = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x10, options: timestamps, payload: [7])))));
        Assert.Equal(0, t.Counters.DecoderErrors);
        Assert.Equal(14 + 20 + 32, t.Layer(0).PayloadOffset);

        byte[] overrun = [2, 4, 5, 0xB4, 8, 12, 0, 0];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x02, options: overrun)))));
        Assert.Equal(1, t["decoder.event.tcp.opt_invalid_len"]);

        byte[] twice = [2, 4, 5, 0xB4, 2, 4, 5, 0xB4];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x0800, IPv4(6, Tcp(1, 2, 0x02, options: twice)))));
        Assert.Equal(1, t["decoder.event.tcp.opt_duplicate"]);
    }

    [Fact]
    public void Counters_add_and_enumerate_with_unique_suricata_names()
    {
        var a = new DecoderUnderTest();
        var b = new DecoderUnderTest();
        a.Decode(EthIPv4Tcp());
        b.Decode(EthIPv4Tcp());
        b.Decode(EthIPv4Tcp());
        var total = new DecoderCounters();
        total.Add(a.Counters);
        total.Add(b.Counters);

        Assert.Equal(3, total.Packets);
        Assert.Equal(3, total.Get("decoder.tcp"));
        var names = total.Enumerate().Select(p => p.Key).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^(decoder|defrag|tcp)\\.[a-z0-9_.]+$", n));
        Assert.Contains("decoder.event.ipv4.trunc_pkt", names);
        Assert.Contains("defrag.ipv4.reassembled", names);
        Assert.Throws<ArgumentException>(() => total.Get("decoder.nope"));
    }

    [Fact]
    public void Steady_state_decoding_allocates_nothing()
    {
        var t = new DecoderUnderTest();
        byte[][] frames =
        [
            EthIPv4Tcp(),
            Ethernet(0x86DD, IPv6(0, Cat([17, 0, 1, 4, 0, 0, 0, 0], Udp(1, 2, [0])))),
            Ethernet(0x0800, IPv4(47, Cat(Be16(0), Be16(0x0800), IPv4(6, Tcp(1, 2, 0x10))))),
            Ethernet(0x0800, IPv4(1, Cat([3, 3, 0, 0, 0, 0, 0, 0], IPv4(17, Udp(1, 2, [0]))))),
            new byte[7],
        ];
        var records = frames.Select(f => Record(f)).ToArray();
        DecodedPacket packet = default;
        for (int i = 0; i < 1000; i++)
        {
            t.Decoder.Decode(frames[i % frames.Length], in records[i % frames.Length], ref packet, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            t.Decoder.Decode(frames[i % frames.Length], in records[i % frames.Length], ref packet, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(101_000, t.Counters.Packets);
    }

    [Theory]
    [InlineData(false, false, "decoder.ipv4_in_ipv4")]
    [InlineData(false, true, "decoder.ipv6_in_ipv4")]
    [InlineData(true, false, "decoder.ipv4_in_ipv6")]
    [InlineData(true, true, "decoder.ipv6_in_ipv6")]
    public void IP_in_IP_decodes_the_inner_packet_as_a_second_layer(bool outerIsIPv6, bool innerIsIPv6, string counter)
    {
        var t = new DecoderUnderTest();
        byte[] inner = innerIsIPv6 ? IPv6(17, Udp(1000, 2000, [1, 2, 3])) : IPv4(17, Udp(1000, 2000, [1, 2, 3]));
        byte next = innerIsIPv6 ? (byte)41 : (byte)4;
        byte[] frame = outerIsIPv6 ? Ethernet(0x86DD, IPv6(next, inner)) : Ethernet(0x0800, IPv4(next, inner));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));

        Assert.Equal(2, t.Packet.LayerCount);
        PacketLayer l = t.Layer(1);
        Assert.Equal(innerIsIPv6, l.IsIPv6);
        Assert.Equal(17, l.Protocol);
        Assert.Equal(1000, l.SourcePort);
        Assert.Equal(2000, l.DestinationPort);
        Assert.Equal(innerIsIPv6 ? A6 : A4, l.Source);
        Assert.Equal(1, t[counter]);
    }

    [Theory]
    [InlineData(false, 10, "decoder.event.ipv6.ipv4_in_ipv6_too_small", DecodeResult.Truncated)]
    [InlineData(false, 0, "decoder.event.ipv6.ipv4_in_ipv6_wrong_version", DecodeResult.BadVersion)]
    [InlineData(true, 30, "decoder.event.ipv6.ipv6_in_ipv6_too_small", DecodeResult.Truncated)]
    [InlineData(true, 0, "decoder.event.ipv6.ipv6_in_ipv6_wrong_version", DecodeResult.BadVersion)]
    public void IP_in_IPv6_too_short_or_of_the_other_version_is_an_event(bool innerIsIPv6, int truncateTo, string counter, DecodeResult result)
    {
        var t = new DecoderUnderTest();

        // Too short: only the first bytes of the inner header. Wrong version: a whole packet of the other version.
        byte[] inner = truncateTo > 0
            ? (innerIsIPv6 ? IPv6(17, Udp(1, 2, [])) : IPv4(17, Udp(1, 2, [])))[..truncateTo]
            : innerIsIPv6 ? IPv4(17, Udp(1, 2, new byte[40])) : IPv6(17, Udp(1, 2, []));
        byte[] frame = Ethernet(0x86DD, IPv6(innerIsIPv6 ? (byte)41 : (byte)4, inner));

        Assert.Equal(result, t.Decode(frame));

        Assert.Equal(1, t[counter]);
        Assert.Equal(0, t[innerIsIPv6 ? "decoder.ipv6_in_ipv6" : "decoder.ipv4_in_ipv6"]);
    }
}
