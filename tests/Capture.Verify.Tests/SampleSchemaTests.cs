using Capture.Tests.Host;
using Capture.Tests.Shared;

namespace Capture.Verify.Tests;

/// <summary>The shipped sample (samples/sample.pcap with samples/sample.rules), as an operator first runs it, against Suricata's EVE schema.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class SampleSchemaTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("sample-schema-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Every_event_of_the_samples_run_validates_against_suricatas_eve_schema()
    {
        string samples = Path.Combine(SharedPcaps.RepositoryRoot, "samples");
        using RunningHost host = DetectSampleLocation.Start("-r", Path.Combine(samples, "sample.pcap"), "-S", Path.Combine(samples, "sample.rules"), "-l", _work.FullName);
        (int exitCode, string output, string error) = host.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{error}");

        string eve = Path.Combine(_work.FullName, "eve.json");
        string[] types = [.. File.ReadLines(eve).Select(EventType).Distinct(StringComparer.Ordinal)];
        Assert.Contains("flow", types);
        Assert.Contains("alert", types);
        Assert.Contains("stats", types);
        IReadOnlyList<string> violations = EveSchema.Violations(eve);
        Assert.True(violations.Count == 0, string.Join('\n', violations.Take(50)));
    }

    private static string EventType(string line)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("event_type").GetString()!;
    }
}
