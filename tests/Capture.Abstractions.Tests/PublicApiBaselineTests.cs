namespace Capture.Abstractions.Tests;

/// <summary>
/// The contract version in <see cref="CaptureContract"/> against the SDK's public API baseline
/// (PublicAPI.Shipped.txt, PublicAPI.Unshipped.txt and ShippedContract.txt, copied beside the tests).
/// </summary>
public sealed class PublicApiBaselineTests
{
    private static readonly string Baseline = Path.Combine(AppContext.BaseDirectory, "Baseline");

    [Fact]
    public void The_contract_version_is_what_the_public_API_baseline_calls_for()
    {
        Version shipped = Version.Parse(File.ReadAllText(Path.Combine(Baseline, "ShippedContract.txt")).Trim());
        string[] unshipped = File.ReadAllLines(Path.Combine(Baseline, "PublicAPI.Unshipped.txt"));
        Version required = ContractVersionRule.Required(shipped, unshipped);

        Assert.True(
            required == CaptureContract.Current,
            $"PublicAPI.Unshipped.txt changes the contract shipped as {shipped} so that it must be {required}, but CaptureContract says {CaptureContract.Current}: " +
            "set CaptureContractVersion in Directory.Build.props and CaptureContract.Major/Minor to it (docs/PLUGINS.md, section 10)");
    }

    [Fact]
    public void The_shipped_baseline_is_not_empty_and_declares_nullable_annotations()
    {
        string[] shipped = File.ReadAllLines(Path.Combine(Baseline, "PublicAPI.Shipped.txt"));

        Assert.Equal("#nullable enable", shipped[0]);
        Assert.Contains("static Capture.Abstractions.CaptureContract.IsCompatible(System.Version! host, System.Version! plugin, out string? reason) -> bool", shipped);
    }

    [Theory]
    [InlineData(new string[0], "1.0")]
    [InlineData(new[] { "#nullable enable", "" }, "1.0")]
    [InlineData(new[] { "#nullable enable", "Capture.Abstractions.ICaptureSource.Flush() -> void" }, "1.1")]
    [InlineData(new[] { "Capture.Abstractions.A() -> void", "Capture.Abstractions.B() -> void" }, "1.1")]
    [InlineData(new[] { "*REMOVED*Capture.Abstractions.ICaptureSource.Name.get -> string!" }, "2.0")]
    [InlineData(new[] { "*REMOVED*Capture.Abstractions.Open(int a) -> void", "Capture.Abstractions.Open(long a) -> void" }, "2.0")]
    [InlineData(new[] { "Capture.Abstractions.A() -> void", "*REMOVED*const Capture.Abstractions.CaptureContract.Minor = 0 -> int", "const Capture.Abstractions.CaptureContract.Minor = 1 -> int" }, "1.1")]
    public void Additions_call_for_the_next_minor_and_removals_or_changes_for_the_next_major(string[] unshipped, string required)
    {
        Assert.Equal(Version.Parse(required), ContractVersionRule.Required(new Version(1, 0), unshipped));
    }

    [Fact]
    public void The_minor_version_starts_again_at_zero_after_a_major_change()
    {
        Assert.Equal(new Version(3, 0), ContractVersionRule.Required(new Version(2, 4), ["*REMOVED*Capture.Abstractions.X.Y() -> void"]));
        Assert.Equal(new Version(2, 5), ContractVersionRule.Required(new Version(2, 4), ["Capture.Abstractions.X.Z() -> void"]));
    }
}
