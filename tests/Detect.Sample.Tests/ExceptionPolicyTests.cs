using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

public sealed class ExceptionPolicyTests
{
    [Theory]
    [InlineData(null, null, true, false, "drop_flow")]
    [InlineData(null, null, true, true, "ignore")]
    [InlineData(null, null, false, false, "ignore")]
    [InlineData(null, "bypass", false, true, "bypass")]
    [InlineData("bypass", "drop-flow", true, false, "bypass")]
    [InlineData("drop-flow", null, false, false, "ignore")]
    [InlineData("reject", null, true, false, "reject")]
    [InlineData("pass-flow", null, false, false, "pass_flow")]
    public void The_midstream_policy_resolves_as_suricatas(string? midstreamPolicy, string? master, bool ips, bool pickup, string expected) =>
        Assert.Equal(expected, ExceptionPolicies.Name(ExceptionPolicies.ResolveMidstream(midstreamPolicy, master, ips, pickup)!.Value));

    [Fact]
    public void An_unknown_policy_is_no_policy_and_names_follow_eve()
    {
        Assert.Null(ExceptionPolicies.ResolveMidstream("drop", null, ips: true, midstream: false));
        Assert.Equal("drop_flow", ExceptionPolicies.Name(ExceptionPolicy.DropFlow));
        Assert.Equal("pass_flow"u8.ToArray(), ExceptionPolicies.Utf8Name(ExceptionPolicy.PassFlow).ToArray());
    }
}
