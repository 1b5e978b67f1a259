using System.Net;
using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Tests;

/// <summary>Which bypass rules go to the capture as header-only rules, what they become, and why the others stay with user space.</summary>
public sealed class HeaderBypassRulesTests
{
    private static readonly Dictionary<string, string> Addresses = new(StringComparer.Ordinal) { ["HOME_NET"] = "[10.0.0.0/8,2001:db8::/32]" };
    private static readonly Dictionary<string, string> Ports = new(StringComparer.Ordinal) { ["WEB"] = "[80,8000:8080]" };

    [Fact]
    public void Header_only_bypass_rules_become_plain_data_with_prefixes_ranges_protocol_and_direction()
    {
        (List<HeaderBypassRule> selected, List<HeaderRuleRefusal> userSpace) = Select(
            "alert udp any any -> any 5000 (msg:\"a\"; bypass; sid:1; rev:2; classtype:misc-activity; priority:1; metadata:k v; reference:url,x;)",
            "alert tcp $HOME_NET any <> 192.0.2.7/24 $WEB (msg:\"b\"; bypass; sid:2;)",
            "alert ip any any -> any any (msg:\"c\"; bypass; sid:3;)",
            "alert ipv6 any any -> any any (msg:\"d\"; bypass; sid:4;)",
            "alert udp any any -> any 53 (msg:\"no bypass\"; sid:5;)");
        Assert.Empty(userSpace);
        Assert.Equal([1L, 2L, 3L, 4L], selected.Select(r => r.Sid));

        HeaderBypassRule udp = selected[0];
        Assert.Equal(17, udp.Protocol);
        Assert.Empty(udp.Sources);
        Assert.Equal([new PortRange(5000, 5000)], udp.DestinationPorts);
        Assert.False(udp.Bidirectional);

        HeaderBypassRule tcp = selected[1];
        Assert.Equal(6, tcp.Protocol);
        Assert.True(tcp.Bidirectional);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("2001:db8::/32")], tcp.Sources);
        Assert.Equal([IPNetwork.Parse("192.0.2.0/24")], tcp.Destinations); // the host bits masked off
        Assert.Equal([new PortRange(80, 80), new PortRange(8000, 8080)], tcp.DestinationPorts);

        Assert.Equal(0, selected[2].Protocol);
        Assert.Equal(0, selected[2].IpVersion);
        Assert.Equal(6, selected[3].IpVersion);
    }

    [Theory]
    [InlineData("alert udp any any -> any 5000 (msg:\"x\"; content:\"abc\"; bypass; sid:10;)", "keyword 'content'")]
    [InlineData("alert udp any any -> any 5000 (msg:\"x\"; dsize:>10; bypass; sid:10;)", "keyword 'dsize'")]
    [InlineData("alert tcp any any -> any 80 (msg:\"x\"; flow:established,to_server; bypass; sid:10;)", "keyword 'flow'")]
    [InlineData("alert udp any any -> any 5000 (msg:\"x\"; noalert; bypass; sid:10;)", "keyword 'noalert'")]
    [InlineData("alert udp !10.0.0.0/8 any -> any 5000 (msg:\"x\"; bypass; sid:10;)", "negated")]
    [InlineData("alert udp any any -> any !5000 (msg:\"x\"; bypass; sid:10;)", "negated")]
    [InlineData("alert icmp any any -> any any (msg:\"x\"; bypass; sid:10;)", "TCP and UDP flows only")]
    [InlineData("alert http any any -> any any (msg:\"x\"; bypass; sid:10;)", "application-layer detection")]
    [InlineData("drop udp any any -> any 5000 (msg:\"x\"; bypass; sid:10;)", "only alert rules")]
    [InlineData("pass udp any any -> any 5000 (msg:\"x\"; bypass; sid:10;)", "only alert rules")]
    public void A_rule_whose_match_needs_more_than_headers_stays_with_user_space_and_says_why(string rule, string why)
    {
        (List<HeaderBypassRule> selected, List<HeaderRuleRefusal> userSpace) = Select(rule);
        Assert.Empty(selected);
        HeaderRuleRefusal refusal = Assert.Single(userSpace);
        Assert.Equal(10, refusal.Sid);
        Assert.Contains(why, refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_rule_that_can_see_the_same_protocol_keeps_the_bypass_rule_with_user_space()
    {
        (List<HeaderBypassRule> selected, List<HeaderRuleRefusal> userSpace) = Select(
            "alert udp any any -> any 5000 (msg:\"u\"; bypass; sid:1;)",
            "alert tcp any any -> any 80 (msg:\"t\"; bypass; sid:2;)",
            "pass udp 10.1.1.1 any -> any any (msg:\"p\"; sid:3;)");
        Assert.Equal(2, Assert.Single(selected).Sid);
        HeaderRuleRefusal refusal = Assert.Single(userSpace);
        Assert.Equal(1, refusal.Sid);
        Assert.Contains("pass rule sid 3", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void In_firewall_mode_every_bypass_rule_stays_with_user_space_because_firewall_rules_decide_first()
    {
        RuleSet set = new(
        [
            RuleParser.Parse("alert udp any any -> any 5000 (msg:\"u\"; bypass; sid:1;)", Addresses, Ports, "t.rules", 1),
            FirewallRuleParser.Parse("accept:hook tcp:all any any -> any any (sid:100;)", Addresses, Ports, "firewall.rules", 1),
        ], [], []);
        List<HeaderBypassRule> selected = [];
        List<HeaderRuleRefusal> userSpace = [];
        HeaderBypassRules.Select(set, selected, userSpace);
        Assert.Empty(selected);
        Assert.Contains("firewall rule sid 100", Assert.Single(userSpace).Reason, StringComparison.Ordinal);
    }

    private static (List<HeaderBypassRule> Selected, List<HeaderRuleRefusal> UserSpace) Select(params string[] rules)
    {
        RuleSet set = new([.. rules.Select((r, i) => RuleParser.Parse(r, Addresses, Ports, "t.rules", i + 1))], [], []);
        List<HeaderBypassRule> selected = [];
        List<HeaderRuleRefusal> userSpace = [];
        HeaderBypassRules.Select(set, selected, userSpace);
        return (selected, userSpace);
    }
}
