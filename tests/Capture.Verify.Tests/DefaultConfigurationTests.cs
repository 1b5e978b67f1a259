using System.Text.RegularExpressions;
using Capture.Tests.Host;
using Capture.Tests.Shared;

namespace Capture.Verify.Tests;

/// <summary>Modern Suricata's default suricata.yaml, as an operator starts from it.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed partial class DefaultConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("suricata-default-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Test_mode_accepts_suricatas_default_yaml_and_names_each_thing_it_ignores_once()
    {
        string yaml = DefaultSuricataYaml.Write(_work.FullName);
        using RunningHost host = DetectSampleLocation.Start("-T", "-c", yaml, "--set", "outputs.1.eve-log.types.2.anomaly.types.stream=yes");
        (int exitCode, string output, string error) = host.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");
        Assert.Contains($"configuration {yaml} is good", output, StringComparison.Ordinal);
        string[] warnings = [.. error.Split('\n').Where(l => l.Contains(" warn: ", StringComparison.Ordinal))];
        Assert.NotEmpty(warnings);
        // Its logging section (console, suricata.log; syslog off) is honoured, not warned about.
        Assert.DoesNotContain(warnings, w => w.Contains("logging", StringComparison.Ordinal));
        // Each warning names one key (file:line: key: ...); no key is warned about twice.
        string[] keys = [.. warnings.Select(w => WarnedKey().Match(w)).Where(m => m.Success).Select(m => m.Groups["key"].Value)];
        Assert.Equal(keys.Distinct(StringComparer.Ordinal), keys);
    }

    [GeneratedRegex(@"suricata\.yaml:\d+: (?<key>[^:]+):", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WarnedKey();
}
