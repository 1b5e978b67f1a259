using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>
/// IP-only rules (Suricata's SignatureIsIPOnly): addresses, ports and protocol decide them, and
/// Suricata's IP-only engine runs them on a flow's first packet in each direction only.
/// </summary>
public sealed class IpOnlyRuleTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 80);
    private static readonly FlowTuple ToClient = ToServer.Reverse();

    private static Rule Parse(string line) => RuleParser.Parse(line, new Dictionary<string, string>(), new Dictionary<string, string>(), "t.rules", 1);

    [Theory]
    [InlineData("alert ip any any -> any any (msg:\"m\"; sid:1;)", true)]
    [InlineData("alert tcp any any -> any 80 (msg:\"ports\"; classtype:misc-activity; priority:2; metadata:a b; sid:1;)", true)]
    [InlineData("alert ip any any -> any any (flowbits:set,a; flowbits:noalert; sid:1;)", true)]
    [InlineData("alert ip any any -> any any (hostbits:isset,h,src; sid:1;)", true)]
    [InlineData("alert ip any any -> any any (flowbits:isset,a; sid:1;)", false)]
    [InlineData("alert ip any any -> any any (flowbits:unset,a; sid:1;)", false)]
    [InlineData("alert tcp any any -> any any (content:\"GET\"; sid:1;)", false)]
    [InlineData("alert tcp any any -> any any (flow:to_server; sid:1;)", false)]
    [InlineData("alert ip any any -> any any (ttl:64; sid:1;)", false)]
    [InlineData("alert ip any any -> any any (ip_proto:47; sid:1;)", false)]
    [InlineData("alert tcp any any -> any any (bypass; sid:1;)", false)]
    [InlineData("alert http any any -> any any (sid:1;)", false)]
    [InlineData("alert ip !10.0.0.1 any -> any any (sid:1;)", false)]
    public void A_rule_is_ip_only_when_its_header_and_compatible_options_decide_it(string line, bool ipOnly) =>
        Assert.Equal(ipOnly, Parse(line).IpOnly);

    [Fact]
    public void An_ip_only_rule_matches_the_first_packet_each_way_and_the_others_every_packet()
    {
        var detector = new PacketDetector(
            new RuleSet([Parse("alert tcp any any -> any any (msg:\"ip-only\"; sid:1;)"), Parse("alert tcp any any -> any any (msg:\"packet\"; dsize:>0; sid:2;)")], [], []),
            new DetectionOptions());
        var state = new DetectionFlowState();
        var matches = new Rule?[4];
        long[] Inspect(in FlowTuple packet, bool toServer)
        {
            int count = detector.Inspect(packet, toServer, "x"u8, state, matches, out _);
            return [.. matches[..count].Select(r => r!.Sid)];
        }

        Assert.Equal([1L, 2L], Inspect(ToServer, true));
        Assert.Equal([2L], Inspect(ToServer, true));
        Assert.Equal([1L, 2L], Inspect(ToClient, false));
        Assert.Equal([2L], Inspect(ToClient, false));

        // A flow that takes the state over starts again.
        state.Reset();
        Assert.Equal([1L, 2L], Inspect(ToServer, true));
    }
}
