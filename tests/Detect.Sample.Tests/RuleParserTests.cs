using System.Text;
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
    [InlineData("alert tcp any any -> any any (msg:\"m\"; sid:1; flowbits:set,x;)", "keyword 'flowbits' is not supported")]
    [InlineData("drop tcp any any -> any any (sid:1;)", "needs inline (IPS) mode")]
    [InlineData("alert sctp any any -> any any (sid:1;)", "protocol 'sctp' is not supported")]
    [InlineData("alert tcp any any => any any (sid:1;)", "direction '=>' is not allowed")]
    [InlineData("alert tcp 300.1.1.1 any -> any any (sid:1;)", "'300.1.1.1' is not an address")]
    [InlineData("alert tcp any 70000 -> any any (sid:1;)", "'70000' is not a port")]
    [InlineData("alert tcp $NOPE any -> any any (sid:1;)", "$NOPE is not defined")]
    [InlineData("alert tcp any any -> any any (content:\"|0g|\"; sid:1;)", "hex")]
    [InlineData("alert tcp any any -> any any (nocase; sid:1;)", "nocase must follow a content")]
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
}
