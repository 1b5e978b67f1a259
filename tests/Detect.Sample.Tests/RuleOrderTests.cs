using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>The order rules run in within one packet (Suricata's signature ordering), seen through what flowbit tests find.</summary>
public sealed class RuleOrderTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 80);

    private static Rule[] Parse(params string[] lines)
    {
        var empty = new Dictionary<string, string>();
        return [.. lines.Select((l, i) => RuleParser.Parse(l, empty, empty, "t.rules", i + 1))];
    }

    private static long[] Alerts(params string[] lines)
    {
        var detector = new PacketDetector(new RuleSet(Parse(lines), [], []), new DetectionOptions());
        var matches = new Rule?[16];
        int count = detector.Inspect(ToServer, true, "GET / HTTP/1.1\r\n\r\n"u8, new DetectionFlowState(), matches, out _);
        return [.. matches[..count].Select(r => r!.Sid)];
    }

    [Fact]
    public void Rules_that_set_flowbits_run_first_then_those_that_test_and_set_then_those_that_only_test()
    {
        long[] sids = Alerts(
            "alert ip any any -> any any (msg:\"either of a, z\"; flowbits:isset,a|z; sid:10;)",
            "alert ip any any -> any any (msg:\"neither a nor b clear\"; flowbits:isnotset,a|b; sid:11;)",
            "alert ip any any -> any any (msg:\"set a\"; flowbits:set,a; sid:12;)",
            "alert ip any any -> any any (msg:\"set b\"; flowbits:set,b; sid:13;)",
            "alert ip any any -> any any (msg:\"clear a\"; flowbits:unset,a; sid:14;)",
            "alert ip any any -> any any (msg:\"a again\"; flowbits:isnotset,a; flowbits:set,a; flowbits:noalert; sid:15;)");

        // 12, 13, 14 set, set, clear a; 15 finds a clear and sets it again; then the tests run: 10
        // finds a set, 11 finds both set. In the file's order 10 would find nothing and 11 a clear.
        Assert.Equal([12L, 13L, 14L, 10L], sids);
    }

    [Fact]
    public void Rules_alike_in_flowbits_run_by_action_then_priority_then_sid()
    {
        RuleSet rules = new(Parse(
            "alert ip any any -> any any (msg:\"alert, default priority\"; sid:5;)",
            "alert ip any any -> any any (msg:\"alert, priority 1\"; priority:1; sid:9;)",
            "drop ip any any -> any any (msg:\"drop\"; sid:8;)",
            "alert ip any any -> any any (msg:\"alert, default priority, lower sid\"; sid:2;)",
            "reject ip any any -> any any (msg:\"reject\"; sid:7;)"), [], []);

        Assert.Equal([8L, 7L, 9L, 2L, 5L], RuleOrder.Sort(rules.Rules).Select(r => r.Sid));
    }

    [Fact]
    public void A_rule_that_sets_hostbits_runs_before_one_that_tests_them()
    {
        RuleSet rules = new(Parse(
            "alert ip any any -> any any (msg:\"test\"; hostbits:isset,h,src; sid:1;)",
            "alert ip any any -> any any (msg:\"set\"; hostbits:set,h,src; sid:2;)"), [], []);

        Assert.Equal([2L, 1L], RuleOrder.Sort(rules.Rules).Select(r => r.Sid));
    }
}
