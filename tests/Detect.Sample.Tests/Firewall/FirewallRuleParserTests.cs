using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Tests.Firewall;

public sealed class FirewallRuleParserTests
{
    private static readonly Dictionary<string, string> None = [];

    private static Rule Parse(string text) => FirewallRuleParser.Parse(text, None, None, "firewall.rules", 1);

    private static string Error(string text) => Assert.Throws<RuleSyntaxException>(() => Parse(text)).Message;

    [Fact]
    public void Action_scope_and_packet_hook_are_read_and_the_rest_is_an_ordinary_rule()
    {
        Rule rule = Parse("accept:hook tcp:all $HOME_NET any <> any 80 (tcp.session:setup,established; sid:1001;)".Replace("$HOME_NET", "192.0.2.0/24", StringComparison.Ordinal));
        Assert.Equal(FirewallVerdict.Accept, rule.Firewall!.Verdict);
        Assert.Equal(FirewallActionScope.Hook, rule.Firewall.Scope);
        Assert.Equal(FirewallTable.PacketFilter, rule.Firewall.Hook.Table);
        Assert.Equal(RuleProtocol.Tcp, rule.Protocol);
        Assert.True(rule.Bidirectional);
        Assert.Equal(TcpSessionPhases.Setup | TcpSessionPhases.Established, rule.TcpSession);
        Assert.Equal(1001, rule.Sid);
    }

    [Fact]
    public void App_hooks_carry_their_state_and_direction()
    {
        Rule line = Parse("drop:flow http1:request_line any any -> any any (sid:999; alert;)");
        Assert.Equal(FirewallTable.App, line.Firewall!.Hook.Table);
        Assert.Equal(1, line.Firewall.Hook.Progress);
        Assert.True(line.Firewall.Hook.ToServer);
        Assert.True(line.Firewall.Alert);
        Assert.Equal(AppProtocol.Http, line.AppProtocol);

        Rule prior = Parse("accept:flow,alert http1:<response_headers any any -> any any (sid:2;)");
        Assert.True(prior.Firewall!.Hook.AcceptsPriorStates);
        Assert.False(prior.Firewall.Hook.ToServer);
        Assert.Equal(2, prior.Firewall.Hook.Progress);
        Assert.True(prior.Firewall.Alert);
    }

    [Theory]
    [InlineData("accept tcp:all any any -> any any (sid:1;)", "explicit scope")]
    [InlineData("alert tcp:all any any -> any any (sid:1;)", "secondary action")]
    [InlineData("accept:hook tcp any any -> any any (sid:1;)", "has no hook")]
    [InlineData("accept:tx tcp:all any any -> any any (sid:1;)", "accept:tx is for application-layer hooks")]
    [InlineData("accept:flow ip:pre_flow any any -> any any (sid:1;)", "no flow yet")]
    [InlineData("drop:hook tcp:all any any -> any any (sid:1;)", "not a firewall action")]
    [InlineData("accept:hook udp:pre_stream any any -> any any (sid:1;)", "pre_stream is a TCP hook")]
    [InlineData("accept:hook http1:request_bogus any any -> any any (sid:1;)", "not an http1 state")]
    [InlineData("accept:hook tls:client_hello_done any any -> any any (sid:1;)", "not supported by this host")]
    [InlineData("drop:packet,pass:flow tcp:all any any -> any any (sid:1;)", "must be accept")]
    [InlineData("accept:hook udp:all any any -> any any (tcp.session:setup; sid:1;)", "requires a TCP rule")]
    public void Invalid_firewall_rules_say_what_is_wrong(string text, string expected) =>
        Assert.Contains(expected, Error(text), StringComparison.Ordinal);

    [Theory]
    [InlineData("setup", 1)]
    [InlineData("established,setup", 3)]
    [InlineData("setup,established,closing", 7)]
    public void Tcp_session_takes_a_set_of_phases(string value, int expected) =>
        Assert.Equal((TcpSessionPhases)expected, TcpSessionKeyword.Parse(value));

    [Theory]
    [InlineData("")]
    [InlineData(",setup")]
    [InlineData("setup,")]
    [InlineData("setup,,established")]
    [InlineData("SETUP")]
    [InlineData("setup,setup")]
    [InlineData("setup,established,closing,setup,established")]
    public void Tcp_session_refuses_what_suricata_refuses(string value) =>
        Assert.Throws<RuleSyntaxException>(() => TcpSessionKeyword.Parse(value));

    [Fact]
    public void The_alert_keyword_is_for_firewall_rules_only()
    {
        string message = Assert.Throws<RuleSyntaxException>(() => RuleParser.Parse("alert tcp any any -> any any (alert; sid:1;)", None, None, "t.rules", 1)).Message;
        Assert.Contains("firewall rules", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_firewall_file_is_loaded_before_the_threat_detection_files_and_bad_rules_are_reported_by_line()
    {
        string directory = Directory.CreateTempSubdirectory("fwrules").FullName;
        try
        {
            string firewall = Path.Combine(directory, "firewall.rules");
            string td = Path.Combine(directory, "td.rules");
            File.WriteAllLines(firewall, ["# packet rules", "accept:hook tcp:all any any -> any any (sid:100;)", "accept tcp:all any any -> any any (sid:101;)"]);
            File.WriteAllLines(td, ["alert tcp any any -> any any (sid:200;)"]);
            RuleSet rules = RuleFileLoader.Load([td], None, None, [firewall]);
            Assert.Equal([100L, 200L], rules.Rules.Select(r => r.Sid));
            Assert.NotNull(rules.Rules[0].Firewall);
            Assert.Null(rules.Rules[1].Firewall);
            RuleLoadError error = Assert.Single(rules.Errors);
            Assert.Equal((firewall, 3), (error.File, error.Line));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
