using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Tests.Firewall;

public sealed class IpReputationTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-iprep-");

    public void Dispose() => _work.Delete(recursive: true);

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

    [Theory]
    [InlineData("10")] // IPAddress.Parse reads 0.0.0.10
    [InlineData("1.2.3")]
    [InlineData("01.2.3.4")]
    [InlineData("fe80::1%eth0")]
    [InlineData("1.2.3.4 ")]
    public void A_host_address_is_read_as_inet_pton_reads_it_else_the_line_is_bad(string address)
    {
        IpReputation reputation = Reputation();
        reputation.AddScoreLine($"{address},1,9", "r:9");
        Assert.Equal($"r:9: bad line \"{address},1,9\": '{address}' is not an IPv4 or IPv6 address", reputation.BadLines[^1]);
    }

    [Theory]
    [InlineData("10/8", "IPv4", 32, "0.0.0.1")] // IPAddress.Parse reads 0.0.0.10
    [InlineData("1.2.3.4/33", "IPv4", 32, "1.2.3.4")]
    [InlineData("1.2.3.4/255.255.0.0", "IPv4", 32, "1.2.3.4")]
    [InlineData("1.2.3.4/", "IPv4", 32, "1.2.3.4")]
    [InlineData("1.2.3.4/2:4", "IPv6", 128, "1.2.3.4")] // a ':' anywhere makes it IPv6, as in SRepCIDRAddNetblock
    [InlineData("2001:db8::/129", "IPv6", 128, "2001:db8::1")]
    [InlineData("fe80::%eth0/64", "IPv6", 128, "fe80::1")]
    public void A_block_the_radix_tree_refuses_is_not_added(string block, string family, int max, string inside)
    {
        IpReputation reputation = Reputation();
        reputation.AddScoreLine($"{block},1,9", "r:9");
        Assert.Equal($"r:9: failed to add the block '{block}': expected an {family} address, '/' and a prefix length 0..{max}", reputation.BadLines[^1]);
        Assert.Equal(0, reputation.Score(Address(inside), inside.Contains(':', StringComparison.Ordinal), 1));
    }

    [Fact]
    public void Numbers_take_leading_space_and_a_sign_and_fields_after_the_third_are_not_read()
    {
        IpReputation reputation = Reputation();
        reputation.AddScoreLine("7.7.7.7, 1,+12,anything", "r:9");
        reputation.AddScoreLine("7.7.0.0/ 16,1,4", "r:10");
        reputation.AddScoreLine("::ffff:1.2.3.4,2,5", "r:11");
        Assert.Equal(12, reputation.Score(Address("7.7.7.7"), false, 1));
        Assert.Equal(4, reputation.Score(Address("7.7.1.1"), false, 1));
        Assert.Equal(5, reputation.Score(Address("::ffff:1.2.3.4"), true, 2));
        Assert.Equal(["c:3", "r:6"], reputation.BadLines.Select(l => l[..3]));
    }

    [Fact]
    public void A_file_is_read_as_Suricata_reads_it_bad_lines_named_by_file_and_line_and_skipped()
    {
        string categories = Path.Combine(_work.FullName, "categories.txt");
        File.WriteAllText(categories, "1,BadHosts,Known bad hosts\n");
        string scores = Path.Combine(_work.FullName, "iprep.list");
        File.WriteAllText(scores, "ip,category,reputation\n# a comment\n10,1,50\n1.2.3.4,1,60\n5.6.7.8,1,70 \n9.9.9.9,1,80\r\n\r\n2.2.0.0/16,1,90\n");

        IpReputation reputation = IpReputation.Load(categories, [scores], defaultPath: null);

        Assert.True(reputation.TryGetCategory("BadHosts", out byte bad));
        Assert.Equal(60, reputation.Score(Address("1.2.3.4"), false, bad));
        Assert.Equal(90, reputation.Score(Address("2.2.1.1"), false, bad));
        Assert.Equal(0, reputation.Score(Address("0.0.0.10"), false, bad));
        Assert.Equal(0, reputation.Score(Address("5.6.7.8"), false, bad));
        Assert.Equal(0, reputation.Score(Address("9.9.9.9"), false, bad));
        Assert.Equal(
            [
                $"{scores}:3: bad line \"10,1,50\": '10' is not an IPv4 or IPv6 address",
                $"{scores}:5: bad line \"5.6.7.8,1,70 \": expected address[/bits],category (0..59),score (0..127)",
                $"{scores}:6: bad line \"9.9.9.9,1,80\" (it ends in a carriage return: reputation files are read with LF line ends): expected address[/bits],category (0..59),score (0..127)",
            ],
            reputation.BadLines);
        Assert.Empty(reputation.UnreadableFiles);
    }
}
