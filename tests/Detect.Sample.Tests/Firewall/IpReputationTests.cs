using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Tests.Firewall;

public sealed class IpReputationTests
{
    private static IpReputation Reputation()
    {
        var reputation = new IpReputation();
        reputation.AddCategoryLine("1,BadHosts,Known bad hosts", "c:1");
        reputation.AddCategoryLine("2,Google,Google servers", "c:2");
        reputation.AddCategoryLine("x,broken", "c:3");
        reputation.AddScoreLine("ip,category,reputation", "r:1");
        reputation.AddScoreLine("82.165.177.154,1,10", "r:2");
        reputation.AddScoreLine("82.165.0.0/16,1,3", "r:3");
        reputation.AddScoreLine("82.0.0.0/8,1,99", "r:4");
        reputation.AddScoreLine("2001:db8::/32,2,50", "r:5");
        reputation.AddScoreLine("1.2.3.4,1,200", "r:6");
        return reputation;
    }

    private static FlowAddress Address(string text) => FlowAddress.FromBytes(System.Net.IPAddress.Parse(text).GetAddressBytes());

    [Fact]
    public void A_host_entry_wins_then_the_longest_prefix()
    {
        IpReputation reputation = Reputation();
        Assert.Equal(10, reputation.Score(Address("82.165.177.154"), false, 1));
        Assert.Equal(3, reputation.Score(Address("82.165.1.1"), false, 1));
        Assert.Equal(99, reputation.Score(Address("82.1.1.1"), false, 1));
        Assert.Equal(0, reputation.Score(Address("82.165.177.154"), false, 2));
        Assert.Equal(50, reputation.Score(Address("2001:db8::10"), true, 2));
        Assert.Equal(["c:3", "r:6"], reputation.BadLines.Select(l => l[..3]));
    }

    [Fact]
    public void Iprep_compares_the_chosen_side_and_refuses_unknown_categories()
    {
        IpReputation reputation = Reputation();
        FlowTuple packet = TestTuples.Make("10.16.1.11", 54186, "82.165.177.154", 80);
        Assert.True(IpReputationTest.Parse("dst,BadHosts,>,0", reputation).Matches(packet));
        Assert.False(IpReputationTest.Parse("src,BadHosts,>,0", reputation).Matches(packet));
        Assert.True(IpReputationTest.Parse("any,BadHosts,=,10", reputation).Matches(packet));
        Assert.False(IpReputationTest.Parse("both,BadHosts,isset", reputation).Matches(packet));
        Assert.True(IpReputationTest.Parse("src,BadHosts,isnotset", reputation).Matches(packet));
        Assert.False(IpReputationTest.Parse("dst,BadHosts,<,10", reputation).Matches(packet));
        Assert.Contains("unknown category", Assert.Throws<RuleSyntaxException>(() => IpReputationTest.Parse("dst,test,>,0", reputation)).Message, StringComparison.Ordinal);
        Assert.Contains("not configured", Assert.Throws<RuleSyntaxException>(() => IpReputationTest.Parse("dst,test,>,0", null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_categories_file_stops_as_in_suricata()
    {
        IOException error = Assert.Throws<IOException>(() => IpReputation.Load("/nonexistent/categories.txt", [], null));
        Assert.Contains("categories file /nonexistent/categories.txt", error.Message, StringComparison.Ordinal);
    }
}
