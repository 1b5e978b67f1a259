using Capture.Tests.Shared;
using Xunit.Abstractions;

namespace Capture.Verify.Tests;

/// <summary>The host on Suricata's own conformance tests (../shared/suricata-verify), scored as run.py scores them.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class SuricataVerifyTests(VerifyRuns verify, ITestOutputHelper output) : IClassFixture<VerifyRuns>
{
    [Fact]
    public async Task Every_scored_check_agrees_or_is_listed_as_an_expected_failure()
    {
        IReadOnlyDictionary<string, string> expected = ExpectedFailures.Load(Path.Combine(AppContext.BaseDirectory, ExpectedFailures.FileName));
        IReadOnlyList<VerifyRun> runs = verify.Runs;
        TimeSpan elapsed = verify.Elapsed;
        IReadOnlyList<CheckResult> results = CheckResult.Score(runs, expected);

        await File.WriteAllTextAsync(Path.Combine(SharedPcaps.RepositoryRoot, "docs", "CONFORMANCE.md"), ConformanceReport.Render(results));
        foreach (IGrouping<string, CheckResult> tier in results.GroupBy(r => r.Run.Test.Tier).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            (int agree, int total, int testsAgree, int testCount) = ConformanceReport.Totals(tier);
            output.WriteLine($"tier {tier.Key}: {agree} of {total} scored checks agree; {testsAgree} of {testCount} tests agree on every scored check");
        }

        output.WriteLine($"{runs.Count} tests in {elapsed.TotalSeconds:F1} s (two hosts at a time; slowest {runs.Max(r => r.Elapsed).TotalSeconds:F1} s)");

        var ids = results.Select(r => r.Check.Id).ToHashSet(StringComparer.Ordinal);
        string[] unknown = [.. expected.Keys.Where(id => !ids.Contains(id))];
        string[] listedNotScored = [.. results.Where(r => !r.Check.Scored && expected.ContainsKey(r.Check.Id)).Select(r => r.Check.Id)];
        string[] regressions = [.. results.Where(r => r.State == CheckState.UnexpectedFailure).Select(r => $"{r.Check.Id}: {r.Check.Description}: got {r.Got}{(r.Run.Failure is { } f ? $" (host exited {r.Run.ExitCode}: {f})" : null)}")];
        string[] nowAgree = [.. results.Where(r => r.State == CheckState.ListedButAgrees).Select(r => r.Check.Id)];
        Assert.True(unknown.Length == 0, $"{ExpectedFailures.FileName} lists checks that do not exist:\n{string.Join('\n', unknown)}");
        Assert.True(listedNotScored.Length == 0, $"{ExpectedFailures.FileName} lists checks that are not scored:\n{string.Join('\n', listedNotScored)}");
        Assert.True(regressions.Length == 0, $"scored checks that do not agree and are not expected failures:\n{string.Join('\n', regressions)}");
        Assert.True(nowAgree.Length == 0, $"these checks agree now: remove them from {ExpectedFailures.FileName}:\n{string.Join('\n', nowAgree)}");
    }

    [Fact]
    public void Every_eve_event_of_every_run_validates_against_suricatas_eve_schema()
    {
        VerifyRun[] wrote = [.. verify.Runs.Where(r => r.EveJson is not null)];
        string[] violations = [.. wrote.SelectMany(r => EveSchema.Violations(r.EveJson!))];
        output.WriteLine($"{wrote.Length} runs wrote EVE; {violations.Length} events do not validate");
        Assert.NotEmpty(wrote);
        Assert.True(violations.Length == 0, $"EVE events that do not validate against eve-schema.json:\n{string.Join('\n', violations.Take(200))}");
    }
}
