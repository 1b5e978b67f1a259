using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>
/// The rule groups give each packet header exactly the rules whose protocol and destination ports
/// (or, for &lt;&gt; rules, source port) can take it, in the rules' order.
/// </summary>
public sealed class RuleGroupsTests
{
    private static readonly Dictionary<string, string> Addresses = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, string> PortGroups = new(StringComparer.Ordinal) { ["HTTP_PORTS"] = "[80,8000:8100]" };

    private static readonly string[] RuleTexts =
    [
        "alert tcp any any -> any $HTTP_PORTS (msg:\"a\"; sid:1;)",
        "alert udp any any -> any 53 (msg:\"b\"; sid:2;)",
        "alert tcp any any <> any 8080 (msg:\"c\"; sid:3;)",
        "alert ip any any -> any any (msg:\"d\"; sid:4;)",
        "alert tcp any 443 -> any any (msg:\"e\"; sid:5;)",
        "alert tcp any any -> any ![1:1023,8080] (msg:\"f\"; sid:6;)",
        "alert icmp any any -> any any (msg:\"g\"; sid:7;)",
        "alert udp any any <> any [500:600,!550] (msg:\"h\"; sid:8;)",
        "alert ipv6 any any -> any any (msg:\"i\"; sid:9;)",
        "alert sctp any any -> any 36412 (msg:\"j\"; sid:10;)",
        "alert tcp any any -> any 65535 (msg:\"k\"; sid:11;)",
        "alert tcp any any -> any 80 (msg:\"l\"; content:\"GET\"; sid:12;)",
        "alert udp any any -> any 53 (msg:\"m\"; content:!\"x\"; sid:13;)",
        "alert tcp any any <> any 8080 (msg:\"n\"; content:\"a\"; content:!\"b\"; sid:14;)",
        "alert tcp any any -> any any (msg:\"o\"; dsize:0; sid:15;)",
    ];

    /// <summary>Rules and whether they need a payload: a content looked for in it, not a negated one, a size test or a header buffer.</summary>
    public static TheoryData<string, bool> PayloadRules => new()
    {
        { "alert tcp any any -> any any (msg:\"a\"; content:\"GET\"; sid:1;)", true },
        { "alert tcp any any -> any any (msg:\"a\"; content:\"|00|\"; content:!\"x\"; distance:0; sid:1;)", true },
        { "alert tcp any any -> any any (msg:\"a\"; content:!\"GET\"; sid:1;)", false },
        { "alert tcp any any -> any any (msg:\"a\"; dsize:0; sid:1;)", false },
        { "alert tcp any any -> any any (msg:\"a\"; pcre:\"/^$/\"; sid:1;)", false },
        { "alert tcp any any -> any any (msg:\"a\"; tcp.hdr; content:\"|50|\"; sid:1;)", false },
        { "alert tcp any any -> any any (msg:\"a\"; sid:1;)", false },
    };

    private static readonly ushort[] Ports = [0, 1, 22, 52, 53, 54, 79, 80, 81, 443, 499, 500, 549, 550, 551, 600, 601, 1023, 1024, 7999, 8000, 8050, 8080, 8100, 8101, 36412, 50000, 65534, 65535];

    [Fact]
    public void Each_header_gets_exactly_the_rules_its_protocol_and_ports_allow_in_order()
    {
        List<Rule> rules = [.. RuleTexts.Select((text, i) => RuleParser.Parse(text, Addresses, PortGroups, "test.rules", i + 1))];
        // Two lists sharing the groups: every other rule in each.
        List<Rule>[] lists = [[.. rules.Where((_, i) => i % 2 == 0)], [.. rules.Where((_, i) => i % 2 == 1)]];
        var groups = new RuleGroups(lists);
        byte[] protocols = [1, 6, 17, 58, 132, 47];
        int nonEmpty = 0;
        int fewerWithoutPayload = 0;
        foreach (byte protocol in protocols)
        {
            foreach (bool isIPv6 in new[] { false, true })
            {
                foreach (ushort source in Ports)
                {
                    foreach (ushort destination in Ports)
                    {
                        bool ports = protocol is 6 or 17 or 132;
                        int cell = groups.Cell(protocol, isIPv6, source, destination);
                        int candidates = 0;
                        int candidatesWithoutPayload = 0;
                        for (int l = 0; l < lists.Length; l++)
                        {
                            long[] expected = [.. lists[l]
                                .Where(r => r.ProtocolMatches(protocol, isIPv6)
                                    && (!ports || r.DestinationPorts.Matches(destination) || (r.Bidirectional && r.DestinationPorts.Matches(source))))
                                .Select(r => r.Sid)];
                            long[] actual = [.. groups.Rules(l, cell).ToArray().Select(r => r.Sid)];
                            Assert.Equal(expected, actual);
                            candidates += actual.Length;
                            long[] expectedWithoutPayload = [.. lists[l].Where(r => expected.Contains(r.Sid) && !r.NeedsPayload).Select(r => r.Sid)];
                            long[] actualWithoutPayload = [.. groups.Rules(l, cell, withoutPayload: true).ToArray().Select(r => r.Sid)];
                            Assert.Equal(expectedWithoutPayload, actualWithoutPayload);
                            candidatesWithoutPayload += actualWithoutPayload.Length;
                        }

                        Assert.Equal(candidates > 0, groups.HasCandidates(cell));
                        Assert.Equal(candidatesWithoutPayload > 0, groups.HasCandidatesWithoutPayload(cell));
                        nonEmpty += candidates > 0 ? 1 : 0;
                        fewerWithoutPayload += candidatesWithoutPayload < candidates ? 1 : 0;
                    }
                }
            }
        }

        Assert.True(nonEmpty > 0);
        Assert.True(fewerWithoutPayload > 0);
    }

    [Theory]
    [MemberData(nameof(PayloadRules))]
    public void A_rule_needs_a_payload_only_when_it_looks_for_a_content_in_it(string text, bool needsPayload)
    {
        Rule rule = RuleParser.Parse(text, Addresses, PortGroups, "test.rules", 1);
        Assert.Equal(needsPayload, rule.NeedsPayload);
        Capture.Abstractions.FlowTuple tuple = TestTuples.Make("10.0.0.1", 40000, "10.0.0.2", 80);
        if (needsPayload)
        {
            // What the groups rely on: such a rule never matches a packet without payload.
            Assert.False(rule.Matches(tuple, ReadOnlySpan<byte>.Empty));
        }
    }

    [Fact]
    public void A_udp_packet_to_a_port_no_rule_names_has_only_the_rules_without_ports()
    {
        List<Rule> rules = [.. RuleTexts.Select((text, i) => RuleParser.Parse(text, Addresses, PortGroups, "test.rules", i + 1))];
        var groups = new RuleGroups(rules);
        long[] Sids(ushort source, ushort destination) => [.. groups.Rules(0, groups.Cell(17, isIPv6: false, source, destination)).ToArray().Select(r => r.Sid)];
        Assert.Equal([4L], Sids(40000, 40001));
        Assert.Equal([2L, 4L, 13L], Sids(40000, 53));
        Assert.Equal([4L], Sids(550, 40000));
        Assert.Equal([4L, 8L], Sids(551, 40000));
        var dnsOnly = new RuleGroups([.. rules.Where(r => r.Sid == 2)]);
        Assert.False(dnsOnly.HasCandidates(dnsOnly.Cell(17, isIPv6: false, 40000, 40001)));
        Assert.True(dnsOnly.HasCandidates(dnsOnly.Cell(17, isIPv6: false, 40000, 53)));
    }
}
