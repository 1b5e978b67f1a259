using System.Text;
using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

public sealed class RuleParserTests
{
    private static readonly Dictionary<string, string> Addresses = new()
    {
        ["HOME_NET"] = "[192.168.0.0/16,10.0.0.0/8]",
        ["EXTERNAL_NET"] = "!$HOME_NET",
    };

    private static readonly Dictionary<string, string> Ports = new() { ["HTTP_PORTS"] = "[80,8000:8100]" };

    private static Rule Parse(string text) => RuleParser.Parse(text, Addresses, Ports, "test.rules", 1);

    [Fact]
    public void Parses_header_and_options()
    {
        Rule rule = Parse("alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:\"a \\\"quoted\\\" msg\"; content:\"GET\"; nocase; content:\"|0d 0a|\"; classtype:web-application-attack; sid:7; rev:3; bypass;)");
        Assert.Equal(RuleAction.Alert, rule.Action);
        Assert.Equal(RuleProtocol.Tcp, rule.Protocol);
        Assert.Equal("a \"quoted\" msg", rule.Message);
        Assert.Equal(7, rule.Sid);
        Assert.Equal(3, rule.Rev);
        Assert.Equal("Web Application Attack", rule.Category);
        Assert.Equal(1, rule.Severity);
        Assert.True(rule.Bypass);
        Assert.Equal(2, rule.Contents.Count);
        Assert.True(rule.Contents[0].NoCase);
        Assert.Equal("\r\n"u8.ToArray(), rule.Contents[1].Bytes.ToArray());
    }

    [Fact]
    public void Matches_addresses_ports_direction_and_content()
    {
        Rule rule = Parse("alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:\"m\"; content:\"user-agent: sqlmap\"; nocase; sid:1;)");
        byte[] payload = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nUser-Agent: SQLMAP/1.0\r\n\r\n");
        Assert.True(rule.Matches(TestTuples.Make("192.168.1.5", 40000, "8.8.8.8", 8050), payload));
        Assert.False(rule.Matches(TestTuples.Make("192.168.1.5", 40000, "10.1.1.1", 80), payload), "destination is HOME_NET");
        Assert.False(rule.Matches(TestTuples.Make("192.168.1.5", 40000, "8.8.8.8", 443), payload), "port not in HTTP_PORTS");
        Assert.False(rule.Matches(TestTuples.Make("8.8.8.8", 80, "192.168.1.5", 40000), payload), "wrong direction");
        Assert.False(rule.Matches(TestTuples.Make("192.168.1.5", 40000, "8.8.8.8", 80), "GET / HTTP/1.1\r\n"u8), "no content");

        Rule both = Parse("alert tcp 192.168.1.5 any <> 8.8.8.8 80 (msg:\"m\"; sid:2;)");
        Assert.True(both.Matches(TestTuples.Make("8.8.8.8", 80, "192.168.1.5", 40000), []));
        Assert.False(both.Matches(TestTuples.Make("8.8.8.8", 81, "192.168.1.5", 40000), []));
    }

    [Fact]
    public void Supports_ipv6_cidr_negated_lists_and_port_ranges()
    {
        Rule rule = Parse("alert udp [2001:db8::/32,!2001:db8:1::/48] ![53,123] -> any 1024: (msg:\"m\"; content:!\"evil\"; sid:3;)");
        Assert.True(rule.Matches(TestTuples.Make("2001:db8:2::1", 5000, "2001:db8:9::9", 2000, 17), "fine"u8));
        Assert.False(rule.Matches(TestTuples.Make("2001:db8:1::1", 5000, "2001:db8:9::9", 2000, 17), "fine"u8), "excluded prefix");
        Assert.False(rule.Matches(TestTuples.Make("2001:db8:2::1", 53, "2001:db8:9::9", 2000, 17), "fine"u8), "excluded port");
        Assert.False(rule.Matches(TestTuples.Make("2001:db8:2::1", 5000, "2001:db8:9::9", 80, 17), "fine"u8), "below the range");
        Assert.False(rule.Matches(TestTuples.Make("2001:db8:2::1", 5000, "2001:db8:9::9", 2000, 17), "so evil"u8), "negated content");
    }

    [Theory]
    [InlineData("alert tcp any any -> any any (msg:\"m\";)", "no sid")]
    [InlineData("alert tcp any any -> any any (msg:\"m\"; sid:1; flowbits:set,x|y;)", "| (any of) is only for isset and isnotset")]
    [InlineData("alert tcp any any -> any any (msg:\"m\"; sid:1; flowbits:isset,x|y&z;)", "mixes | and &")]
    [InlineData("alert tcp any any -> any any (msg:\"m\"; sid:1; flowbits:check,x;)", "'check' is not a command")]
    [InlineData("alert tcp any any -> any any (sid:1; stream-event:no_such_event;)", "stream-event: 'no_such_event' is not a Suricata stream event")]
    [InlineData("alert tcp any any -> any any (sid:1; flow:to_server,to_client;)", "to_server and to_client cannot both be given")]
    [InlineData("alert tcp any any -> any any (sid:1; flow:sideways;)", "flow: 'sideways' is not supported")]
    [InlineData("alert tcp any any -> any any (sid:1; dsize:10<>5;)", "first number must be below its second")]
    [InlineData("alert tcp any any -> any any (sid:1; ttl:300;)", "ttl: '300' is not allowed")]
    [InlineData("alert ip any any -> any any (sid:1; ip_proto:bogus;)", "ip_proto: 'bogus' is not allowed")]
    [InlineData("accept:flow tcp any any -> any any (sid:1;)", "action 'accept:flow' is not supported")]
    [InlineData("alert nfs any any -> any any (sid:1;)", "protocol 'nfs' needs application-layer protocol detection, which this host has for http, http1")]
    [InlineData("alert pim any any -> any any (sid:1;)", "protocol 'pim' is not supported; expected ip")]
    [InlineData("alert tcp any any => any any (sid:1;)", "direction '=>' is not allowed")]
    [InlineData("alert tcp 300.1.1.1 any -> any any (sid:1;)", "'300.1.1.1' is not an address")]
    [InlineData("alert tcp any 70000 -> any any (sid:1;)", "'70000' is not a port")]
    [InlineData("alert tcp $NOPE any -> any any (sid:1;)", "$NOPE is not defined")]
    [InlineData("alert tcp any any -> any any (content:\"|0g|\"; sid:1;)", "hex")]
    [InlineData("alert tcp any any -> any any (nocase; sid:1;)", "nocase must follow a content")]
    [InlineData("alert tcp any any -> any any (startswith; sid:1;)", "startswith must follow a content")]
    [InlineData("alert tcp any any -> any any (content:\"abcd\"; depth:2; sid:1;)", "depth 2 is shorter than the content")]
    [InlineData("alert tcp any any -> any any (sid:1; msg:\"x\")", "not terminated by ';'")]
    [InlineData("alert tcp any any -> any any sid:1;", "option block")]
    public void Reports_what_is_wrong(string text, string expected)
    {
        RuleSyntaxException error = Assert.Throws<RuleSyntaxException>(() => Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_skips_bad_rules_and_names_file_and_line()
    {
        string file = Path.Combine(Path.GetTempPath(), $"detect-rules-{Guid.NewGuid():N}.rules");
        File.WriteAllText(file, "# comment\n\nalert tcp any any -> any 80 (msg:\"ok\"; sid:1;)\nalert tcp any any -> any 80 (msg:\"bad\"; sid:x;)\nalert tcp any any -> any 80 (msg:\"dup\"; sid:1;)\nalert udp any any -> any 53 \\\n  (msg:\"continued\"; sid:2;)\n");
        try
        {
            RuleSet set = RuleFileLoader.Load([file], Addresses, Ports);
            Assert.Equal([1L, 2L], set.Rules.Select(r => r.Sid));
            Assert.Equal(2, set.Errors.Count);
            Assert.Equal(4, set.Errors[0].Line);
            Assert.Contains("sid: 'x' is not allowed", set.Errors[0].ToString(), StringComparison.Ordinal);
            Assert.StartsWith(file + ":4:", set.Errors[0].ToString(), StringComparison.Ordinal);
            Assert.Contains("duplicate sid 1", set.Errors[1].Problem, StringComparison.Ordinal);
            Assert.Equal(6, set.Rules[1].Line);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("dsize:10", 10, true)]
    [InlineData("dsize:10", 11, false)]
    [InlineData("dsize:>10", 11, true)]
    [InlineData("dsize:<10", 10, false)]
    [InlineData("dsize:<=10", 10, true)]
    [InlineData("dsize:>=10", 9, false)]
    [InlineData("dsize:!0", 0, false)]
    [InlineData("dsize:!0", 1, true)]
    [InlineData("dsize:5<>10", 5, false)]
    [InlineData("dsize:5<>10", 6, true)]
    [InlineData("dsize:5-10", 9, true)]
    [InlineData("dsize:5-10", 10, false)]
    public void Dsize_compares_the_payload_length_as_suricata_does(string option, int length, bool matches)
    {
        Rule rule = Parse($"alert udp any any -> any any (msg:\"size\"; {option}; sid:1;)");
        Assert.Equal(matches, rule.Matches(TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2, 17), new byte[length]));
    }

    [Theory]
    [InlineData("content:\"data\"; startswith;", "data and more", true)]
    [InlineData("content:\"data\"; startswith;", "my data", false)]
    [InlineData("content:\"data|0a 0a|\"; startswith; endswith;", "data\n\n", true)]
    [InlineData("content:\"data|0a 0a|\"; startswith; endswith;", "data\n\n\n", false)]
    [InlineData("content:\"end\"; endswith;", "the end", true)]
    [InlineData("content:\"end\"; endswith;", "the end.", false)]
    [InlineData("content:\"b\"; offset:2;", "abcb", true)]
    [InlineData("content:\"b\"; offset:2;", "abca", false)]
    [InlineData("content:\"c\"; depth:3;", "abcd", true)]
    [InlineData("content:\"d\"; depth:3;", "abcd", false)]
    [InlineData("content:\"c\"; offset:1; depth:2;", "abcd", true)]
    [InlineData("content:\"GET\"; nocase; startswith;", "get /", true)]
    public void Content_modifiers_place_the_match(string options, string payload, bool matches)
    {
        Rule rule = Parse($"alert udp any any -> any any ({options} sid:1;)");
        Assert.Equal(matches, rule.Matches(TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2, 17), Encoding.ASCII.GetBytes(payload)));
    }

    [Fact]
    public void Protocols_resolve_as_suricata_resolves_them()
    {
        FlowTuple v4Tcp = TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2);
        FlowTuple v6Tcp = TestTuples.Make("2001:db8::1", 1, "2001:db8::2", 2);
        FlowTuple v4Icmp = TestTuples.Make("10.0.0.1", 0, "10.0.0.2", 0, 1);
        FlowTuple v6Icmp = TestTuples.Make("2001:db8::1", 0, "2001:db8::2", 0, 58);
        FlowTuple sctp = TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2, 132);
        bool M(string proto, FlowTuple t) => Parse($"alert {proto} any any -> any any (sid:1;)").Matches(t, []);

        Assert.True(M("ipv4", v4Tcp));
        Assert.False(M("ipv4", v6Tcp));
        Assert.True(M("ipv6", v6Icmp));
        Assert.False(M("ip6", v4Icmp));
        Assert.True(M("icmp", v4Icmp) && M("icmp", v6Icmp));
        Assert.True(M("icmpv4", v4Icmp));
        Assert.False(M("icmpv4", v6Icmp));
        Assert.True(M("icmpv6", v6Icmp));
        Assert.False(M("icmpv6", v4Icmp));
        Assert.True(M("sctp", sctp));
        Assert.False(M("sctp", v4Tcp));
        Assert.True(M("tcp-stream", v4Tcp));
    }

    [Fact]
    public void Flow_direction_and_state_and_header_keywords_test_the_packet()
    {
        FlowTuple tcp = TestTuples.Make("10.0.0.1", 1, "10.0.0.2", 2);
        FlowTuple icmp = TestTuples.Make("10.0.0.1", 0, "10.0.0.2", 0, 1);
        var established = new RulePacket { ToServer = true, FlowState = FlowEngine.Flows.FlowState.Established, Ttl = 64, IcmpType = -1, IcmpCode = -1 };
        RulePacket fresh = established with { FlowState = FlowEngine.Flows.FlowState.New };
        RulePacket reply = established with { ToServer = false };
        RulePacket echo = established with { IcmpType = 8, IcmpCode = 0 };
        bool M(string options, FlowTuple t, RulePacket p)
        {
            var buffers = new PacketBuffers([], [], p, t.Protocol, t.IsIPv6, AppProtocol.Unknown, []);
            return Parse($"alert ip any any -> any any ({options} sid:1;)").Matches(t, p, ref buffers, null);
        }


        Assert.True(M("flow:established,to_server;", tcp, established));
        Assert.False(M("flow:established,to_server;", tcp, fresh));
        Assert.False(M("flow:established,to_server;", tcp, reply));
        Assert.True(M("flow:from_server;", tcp, reply));
        Assert.True(M("flow:not_established;", tcp, fresh));
        Assert.True(M("ttl:64;", tcp, established));
        Assert.True(M("ttl:<65;", tcp, established));
        Assert.False(M("ttl:>64;", tcp, established));
        Assert.False(M("ttl:64;", tcp, established with { Ttl = -1 }));
        Assert.True(M("ip_proto:tcp;", tcp, established));
        Assert.True(M("ip_proto:6;", tcp, established));
        Assert.False(M("ip_proto:!6;", tcp, established));
        Assert.True(M("ip_proto:icmp;", icmp, echo));
        Assert.True(M("itype:8; icode:0;", icmp, echo));
        Assert.False(M("itype:0;", icmp, echo));
        Assert.False(M("itype:8;", tcp, established));
    }

    [Theory]
    [InlineData("drop", "Drop")]
    [InlineData("reject", "Reject")]
    [InlineData("rejectboth", "Reject")]
    [InlineData("pass", "Pass")]
    public void Drop_and_reject_rules_load(string action, string expected) =>
        Assert.Equal(expected, Parse($"{action} tcp any any -> any any (sid:1;)").Action.ToString());
}
