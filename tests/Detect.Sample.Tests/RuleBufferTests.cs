using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>Application-layer rules, sticky buffers, pcre and relative contents, through the detector.</summary>
public sealed class RuleBufferTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 80);

    private static readonly byte[] Request = "GET /images/logo.gif?x=1 HTTP/1.1\r\nHost: WWW.Example.com\r\nUser-Agent: Mozilla/5.0 Firefox/99\r\nCookie: session=dummy\r\n\r\n"u8.ToArray();
    private static readonly byte[] Response = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 7\r\n\r\nmessage"u8.ToArray();

    private static Rule Parse(string text)
    {
        var empty = new Dictionary<string, string>();
        return RuleParser.Parse(text, empty, empty, "t.rules", 1);
    }

    /// <summary>The sids of the rules that match the packets of one flow, packet by packet.</summary>
    private static List<long>[] Run(string[] rules, params (bool ToServer, byte[] Payload)[] packets) => FlowRuns.Sids(rules, ToServer, packets);

    [Fact]
    public void An_http_rule_matches_only_on_a_flow_detected_as_http_and_inspects_its_buffers()
    {
        string[] rules =
        [
            "alert http any any -> any any (sid:1;)",
            "alert http any any -> any any (http.uri; content:\"/images/logo.gif\"; startswith; sid:2;)",
            "alert tcp any any -> any any (content:\"GET\"; http_method; content:\"dummy\"; http_cookie; sid:3;)",
            "alert http any any -> any any (http.host; content:\"www.example.com\"; bsize:15; sid:4;)",
            "alert http any any -> any any (http.host.raw; content:\"WWW.Example.com\"; sid:5;)",
            "alert tcp any any -> any any (uricontent:\"logo.gif\"; sid:6;)",
            "alert http any any -> any any (http_request_line; bsize:>10; content:\"GET /images\"; sid:7;)",
            "alert http any any -> any any (http.response_body; content:\"message\"; sid:8;)",
            "alert http any any -> any any (http.stat_code; content:\"200\"; sid:9;)",
            "alert http any any -> any any (http.uri; content:\"/nothere\"; sid:10;)",
            "alert tls any any -> any any (sid:11;)",
        ];

        List<long>[] got = Run(rules, (true, Request), (false, Response));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], got[0].Order());
        Assert.Equal([1, 8, 9], got[1].Order());

        // The same bytes on a flow that did not start as HTTP are no HTTP transaction.
        List<long>[] other = Run(rules, (true, "hello"u8.ToArray()), (true, Request));
        Assert.Empty(other[0]);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], other[1].Order());
    }

    [Fact]
    public void Relative_contents_backtrack_to_a_placement_where_the_whole_chain_holds()
    {
        // "SMB" occurs twice; only the second is followed by |09 00| 8 bytes on.
        byte[] payload = [.. "SMB"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01, .. "SMB"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x00, 0x05, 0x00, 0x00];
        Rule chain = Parse("alert tcp any any -> any any (content:\"SMB\"; content:\"|09 00|\"; distance:8; within:2; content:\"|05 00 00|\"; distance:0; sid:1;)");
        Rule tooFar = Parse("alert tcp any any -> any any (content:\"SMB\"; content:\"|09 00|\"; distance:7; within:2; sid:2;)");
        Rule negative = Parse("alert tcp any any -> any any (content:\"|05 00 00|\"; content:\"SMB\"; distance:-29; within:3; sid:3;)");
        Assert.True(chain.Matches(ToServer, payload));
        Assert.False(tooFar.Matches(ToServer, payload));
        Assert.True(negative.Matches(ToServer, payload));
    }

    [Fact]
    public void Pcre_matches_with_flags_buffers_negation_and_relative_placement()
    {
        string[] rules =
        [
            "alert tcp any any -> any any (pcre:\"/^gEt/i\"; pcre:\"/\\/logo\\.gif/U\"; pcre:\"/\\s+HTTP/R\"; sid:1;)",
            "alert tcp any any -> any any (content:\"GET\"; pcre:!\"/POST/\"; sid:2;)",
            "alert tcp any any -> any any (content:\"GET\"; pcre:!\"/logo/\"; sid:3;)",
            "alert http any any -> any any (http.user_agent; pcre:\"/^(?P<ua>[a-zA-Z]+).*Firefox\\/(\\d+)/,flow:ua\"; sid:4;)",
            "alert tcp any any -> any any (pcre:\"/^HTTP/R\"; sid:5;)",
        ];

        List<long>[] got = Run(rules, (true, Request));
        Assert.Equal([1, 2, 4], got[0].Order());
        Assert.Throws<RuleSyntaxException>(() => Parse("alert tcp any any -> any any (pcre:\"/a/G\"; sid:1;)"));
        Assert.Throws<RuleSyntaxException>(() => Parse("alert tcp any any -> any any (pcre:\"/(unclosed/\"; sid:1;)"));
    }

    [Fact]
    public void Header_keywords_test_tcp_flags_sequence_and_icmp_echo_fields()
    {
        RulePacket syn = RulePacket.Direction(true) with { TcpFlags = 0x02, TcpSequence = 1000, TcpAcknowledgement = 0 };
        RulePacket echo = RulePacket.Direction(true) with { IcmpType = 8, IcmpCode = 0, IcmpId = 0, IcmpSequence = 2216 };
        FlowTuple icmp = TestTuples.Make("10.0.0.1", 0, "10.0.0.2", 0, 1);
        bool M(string options, FlowTuple tuple, RulePacket facts)
        {
            var buffers = new PacketBuffers([], [], facts, tuple.Protocol, tuple.IsIPv6, AppProtocol.Unknown, []);
            return Parse($"alert ip any any -> any any ({options} sid:1;)").Matches(tuple, facts, ref buffers, null);
        }

        Assert.True(M("flags:S;", ToServer, syn));
        Assert.False(M("flags:SA;", ToServer, syn));
        Assert.True(M("flags:S+;", ToServer, syn with { TcpFlags = 0x12 }));
        Assert.True(M("flags:*SF;", ToServer, syn));
        Assert.True(M("flags:!A;", ToServer, syn));
        Assert.True(M("flags:S,CE;", ToServer, syn with { TcpFlags = 0xC2 }));
        Assert.True(M("seq:1000;", ToServer, syn));
        Assert.False(M("ack:1;", ToServer, syn));
        Assert.True(M("icmp_seq:2216;", icmp, echo));
        Assert.False(M("icmp_seq:5000;", icmp, echo));
        Assert.True(M("icmp_id:0;", icmp, echo));
        Assert.False(M("icmp_id:0;", icmp, echo with { IcmpId = -1 }));
    }

    [Fact]
    public void Header_buffers_read_the_captured_packet()
    {
        // An IPv6 header (hop limit 64 at offset 7) followed by a UDP header.
        byte[] packet = [0x60, 0, 0, 0, 0, 8, 17, 64, .. new byte[32], 0x10, 0x00, 0x00, 0x35, 0, 8, 0, 0];
        FlowTuple udp6 = TestTuples.Make("2001:db8::1", 4096, "2001:db8::2", 53, 17);
        RulePacket facts = RulePacket.Direction(true) with { NetworkOffset = 0, TransportOffset = 40, PayloadOffset = 48 };
        bool M(string options)
        {
            var buffers = new PacketBuffers([], packet, facts, udp6.Protocol, udp6.IsIPv6, AppProtocol.Unknown, []);
            return Parse($"alert ip any any -> any any ({options} sid:1;)").Matches(udp6, facts, ref buffers, null);
        }

        Assert.True(M("ipv6.hdr; content:\"|40|\"; offset:7; depth:1;"));
        Assert.False(M("ipv6.hdr; content:\"|3f|\"; offset:7; depth:1;"));
        Assert.True(M("udp.hdr; content:\"|00 35|\"; offset:2; depth:2;"));
        Assert.False(M("ipv4.hdr; content:\"|40|\";"));
        Assert.False(M("tcp.hdr; bsize:>0;"));
    }

    [Fact]
    public void Protocol_detection_names_the_protocols_rules_and_eve_use()
    {
        Assert.Equal(AppProtocol.Http, AppProtocolDetection.Detect(6, 8080, true, "POST /x HTTP/1.1\r\n"u8));
        Assert.Equal(AppProtocol.Http, AppProtocolDetection.Detect(6, 8080, false, "HTTP/1.0 404 Not Found\r\n"u8));
        Assert.Equal(AppProtocol.Tls, AppProtocolDetection.Detect(6, 443, true, [0x16, 3, 1, 0, 200, 1]));
        Assert.Equal(AppProtocol.Ssh, AppProtocolDetection.Detect(6, 2222, false, "SSH-2.0-OpenSSH_9.6\r\n"u8));
        Assert.Equal(AppProtocol.Dns, AppProtocolDetection.Detect(17, 53, true, [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w']));
        Assert.Equal(AppProtocol.Unknown, AppProtocolDetection.Detect(17, 5000, true, [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]));
        Assert.Equal(AppProtocol.Smtp, AppProtocolDetection.Detect(6, 25, false, "220 mail.example.com ESMTP\r\n"u8));
        Assert.Equal(AppProtocol.Unknown, AppProtocolDetection.Detect(6, 80, true, "hello"u8));
        Assert.Equal("tls", AppProtocolDetection.Name(AppProtocol.Tls));

        RuleSyntaxException nfs = Assert.Throws<RuleSyntaxException>(() => Parse("alert nfs any any -> any any (sid:1;)"));
        Assert.Contains("protocol 'nfs' needs application-layer protocol detection", nfs.Message, StringComparison.Ordinal);
        Assert.Throws<RuleSyntaxException>(() => Parse("alert tls any any -> any any (http.uri; content:\"a\"; sid:1;)"));
        Assert.Throws<RuleSyntaxException>(() => Parse("alert tcp any any -> any any (http_uri; sid:1;)"));
    }

    [Fact]
    public void Decode_event_rules_match_the_events_a_packet_raised_even_without_a_flow()
    {
        Assert.True(FlowEngine.Decode.DecoderEvents.TryGetCode("udp.len_invalid", out ushort lenInvalid));
        Assert.True(FlowEngine.Decode.DecoderEvents.TryGetCode("ipv4.trunc_pkt", out ushort truncated));
        var empty = new Dictionary<string, string>();
        var set = new RuleSet(
            [
                RuleParser.Parse("alert pkthdr any any -> any any (decode-event:udp.len_invalid; sid:1;)", empty, empty, "t.rules", 1),
                RuleParser.Parse("alert pkthdr any any -> any any (decode-event:ipv4.trunc_pkt; sid:2;)", empty, empty, "t.rules", 2),
                RuleParser.Parse("alert udp any any -> any any (sid:3;)", empty, empty, "t.rules", 3),
            ],
            [],
            []);
        var detector = new PacketDetector(set, new DetectionOptions());
        var matches = new Rule?[4];
        FlowTuple udp = TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2, 17);
        Assert.Equal(1, detector.InspectWithoutFlow(udp, RulePacket.Direction(true), [], [lenInvalid], matches, out _));
        Assert.Equal(1, matches[0]!.Sid);
        Assert.Equal(0, detector.InspectWithoutFlow(udp, RulePacket.Direction(true), [], [], matches, out _));
        Assert.Equal(2, detector.Inspect(udp, RulePacket.Direction(true), [], [], [truncated], new DetectionFlowState(), matches, out _));
        Assert.Equal([2, 3], matches[..2].Select(r => r!.Sid).Order());

        RuleSyntaxException unknown = Assert.Throws<RuleSyntaxException>(() => Parse("alert pkthdr any any -> any any (decode-event:udp.no_such_event; sid:1;)"));
        Assert.Contains("udp.len_invalid", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostbits_follow_a_host_across_its_flows()
    {
        var empty = new Dictionary<string, string>();
        var set = new RuleSet(
            [
                RuleParser.Parse("alert tcp any any -> any any (content:\"login\"; hostbits:set,seen,src; hostbits:noalert; sid:1;)", empty, empty, "t.rules", 1),
                RuleParser.Parse("alert tcp any any -> any any (hostbits:isset,seen,dst; sid:2;)", empty, empty, "t.rules", 2),
                RuleParser.Parse("alert tcp any any -> any any (hostbits:isnotset,seen; content:\"x\"; sid:3;)", empty, empty, "t.rules", 3),
            ],
            [],
            []);
        var detector = new PacketDetector(set, new DetectionOptions());
        var matches = new Rule?[4];
        FlowTuple first = TestTuples.Make("10.0.0.1", 1000, "10.0.0.2", 80);
        FlowTuple other = TestTuples.Make("10.0.0.3", 2000, "10.0.0.1", 22);
        RulePacket facts = RulePacket.Direction(true);

        Assert.Equal(0, detector.Inspect(other, facts, "x"u8, new DetectionFlowState(), matches, out _) - 1);
        Assert.Equal(0, detector.Inspect(first, facts, "login"u8, new DetectionFlowState(), matches, out _));

        // Another flow whose server is the host that logged in sees the bit; the host's own test now fails.
        Assert.Equal(1, detector.Inspect(other, facts, "y"u8, new DetectionFlowState(), matches, out _));
        Assert.Equal(2, matches[0]!.Sid);
        Assert.Equal(0, detector.Inspect(first, facts, "x"u8, new DetectionFlowState(), matches, out _));
        Assert.Throws<RuleSyntaxException>(() => Parse("alert tcp any any -> any any (hostbits:set,a,src,expire 30; sid:1;)"));
    }

    [Fact]
    public void Igmp_keywords_read_the_message_and_the_ip_options()
    {
        // IPv4 with a router-alert option (24-byte header), then an IGMPv2 report with a correct checksum.
        byte[] igmp = [0x16, 0, 0, 0, 224, 0, 0, 22];
        ushort sum = 0;
        uint total = 0;
        for (int i = 0; i < igmp.Length; i += 2)
        {
            total += (uint)((igmp[i] << 8) | igmp[i + 1]);
        }

        sum = (ushort)~((total & 0xFFFF) + (total >> 16));
        igmp[2] = (byte)(sum >> 8);
        igmp[3] = (byte)sum;
        byte[] packet = [0x46, 0, 0, 32, 0, 0, 0, 0, 1, 2, 0, 0, 10, 0, 0, 1, 224, 0, 0, 22, 0x94, 4, 0, 0, .. igmp, 0, 0];
        FlowTuple tuple = TestTuples.Make("10.0.0.1", 0, "224.0.0.22", 0, 2);
        RulePacket facts = RulePacket.Direction(true) with { NetworkOffset = 0, TransportOffset = 24, PayloadOffset = 32, Ttl = 1 };
        bool M(string options)
        {
            var buffers = new PacketBuffers([], packet, facts, tuple.Protocol, tuple.IsIPv6, AppProtocol.Unknown, []);
            return Parse($"alert igmp any any -> any any ({options} sid:1;)").Matches(tuple, facts, ref buffers, null);
        }

        Assert.True(M("igmp.type:0x16;"));
        Assert.False(M("igmp.type:0x11;"));
        Assert.True(M("igmp-csum:valid;"));
        Assert.False(M("igmp-csum:invalid;"));
        Assert.True(M("ipopts:rtralt;"));
        Assert.True(M("ipopts:any;"));
        Assert.False(M("ipopts:rr;"));
        Assert.True(M("igmp.hdr; content:\"|16|\"; startswith;"));
        Assert.False(Parse("alert igmp any any -> any any (sid:1;)").Matches(TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2), []));
    }
}
