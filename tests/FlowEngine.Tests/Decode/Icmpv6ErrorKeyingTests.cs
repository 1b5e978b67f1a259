using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Tests.Flows;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// ICMPv6 errors are keyed as the ICMPv6 packets they are, as in Suricata: its flow hash reads the
/// quoted packet of an ICMPv4 destination unreachable only (flow-hash.c, ICMPV4_DEST_UNREACH_IS_VALID),
/// and an ICMPv6 error's p->sp/p->dp are its type and code and no answer type (decode-icmpv6.c).
/// DecodePartialIPV6 checks the quote's IPv6 header only, for a code the error type defines.
/// </summary>
public sealed class Icmpv6ErrorKeyingTests
{
    private static FlowAddress A6 => FlowAddress.FromBytes(V6A);

    private static FlowAddress B6 => FlowAddress.FromBytes(V6B);

    [Theory]
    [InlineData(1, 4, 17)] // port unreachable about UDP
    [InlineData(1, 0, 6)] // no route about TCP
    [InlineData(2, 0, 6)] // packet too big about TCP
    [InlineData(3, 0, 17)] // hop limit exceeded about UDP
    [InlineData(4, 1, 17)] // parameter problem about UDP
    public void An_error_quoting_tcp_or_udp_keys_its_own_icmpv6_flow(byte type, byte code, byte quotedProtocol)
    {
        var t = new DecoderUnderTest();
        byte[] transport = quotedProtocol == 6 ? Tcp(33000, 443, 0x02) : Udp(5000, 53, [1, 2, 3, 4]);
        byte[] quoted = IPv6(quotedProtocol, transport, source: V6B, destination: V6A);
        byte[] frame = Ethernet(0x86DD, IPv6(58, Cat([type, code, 0, 0, 0, 0, 5, 0xDC], quoted), source: V6A, destination: V6B));

        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        PacketLayer l = t.Layer(0);
        Assert.Equal(PacketLayerFlags.HasFlowKey, l.Flags);
        Assert.Equal(58, l.Protocol);
        Assert.Equal(A6, l.Source);
        Assert.Equal(B6, l.Destination);
        Assert.Equal((type << 8) | code, l.SourcePort);
        Assert.Equal(0, l.DestinationPort);
        Assert.Equal(type, l.IcmpType);
        Assert.Equal(code, l.IcmpCode);
        Assert.Equal(0, t["decoder.event.icmpv6.ipv6_trunc_pkt"]);
    }

    [Fact]
    public void A_quote_shorter_than_an_ipv6_header_or_of_another_version_counts_an_event()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([1, 4, 0, 0, 0, 0, 0, 0], new byte[39])))));
        Assert.Equal(1, t["decoder.event.icmpv6.ipv6_trunc_pkt"]);

        byte[] v4 = IPv4(17, Udp(5000, 53, [1, 2, 3, 4]));
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([3, 0, 0, 0, 0, 0, 0, 0], v4, new byte[20])))));
        Assert.Equal(1, t["decoder.event.icmpv6.ipv6_unknown_version"]);
        Assert.Equal(PacketLayerFlags.HasFlowKey, t.Layer(0).Flags);
    }

    [Fact]
    public void A_quote_cut_inside_its_transport_header_counts_nothing()
    {
        // Suricata's DecodePartialIPV6 reads the ports of a whole TCP or UDP header, and of anything else nothing, without an event.
        var t = new DecoderUnderTest();
        byte[] quoted = IPv6(6, Tcp(33000, 443, 0x02), source: V6B, destination: V6A)[..42];
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([1, 4, 0, 0, 0, 0, 0, 0], quoted)))));
        Assert.Equal(0, t["decoder.event.icmpv6.ipv6_trunc_pkt"]);
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    public void The_quote_of_an_error_with_a_code_its_type_does_not_define_is_not_read(byte type, byte code)
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([type, code, 0, 0, 0, 0, 0, 0], new byte[10])))));
        Assert.Equal(0, t["decoder.event.icmpv6.ipv6_trunc_pkt"]);
        Assert.Equal((type << 8) | code, t.Layer(0).SourcePort);
    }

    [Fact]
    public void The_quoted_udp_flow_is_left_alone_and_the_error_is_a_flow_of_its_own()
    {
        var sink = new RecordingSink();
        FlowShard shard = TestFlows.Shard(sink);
        var t = new DecoderUnderTest();

        // B queried A over UDP; A answers port unreachable quoting the query.
        byte[] query = IPv6(17, Udp(5000, 53, [1, 2, 3, 4]), source: V6B, destination: V6A);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, query)));
        int udp = shard.Send(t.Layer(0), 0, 70);
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(0x86DD, IPv6(58, Cat([1, 4, 0, 0, 0, 0, 0, 0], query), source: V6A, destination: V6B))));
        int error = shard.Send(t.Layer(0), 0.1, 118);
        Assert.NotEqual(udp, error);

        shard.EndAll(FlowEndReason.Shutdown);
        FlowEndEvent udpEnd = Assert.Single(sink.Events, e => e.Tuple.Protocol == 17);
        Assert.Equal((1L, 0L), (udpEnd.PacketsToServer, udpEnd.PacketsToClient));
        FlowEndEvent icmpEnd = Assert.Single(sink.Events, e => e.Tuple.Protocol == 58);
        Assert.Equal(A6, icmpEnd.Tuple.Source);
        Assert.Equal(B6, icmpEnd.Tuple.Destination);
        Assert.Equal((1L, 0L), (icmpEnd.PacketsToServer, icmpEnd.PacketsToClient));
        Assert.Equal((1, 4), (icmpEnd.IcmpTypeToServer, icmpEnd.IcmpCodeToServer));
        Assert.Equal(2, sink.Events.Count);
    }
}
