using System.Globalization;
using System.Text;

namespace Capture.Verify.Tests;

/// <summary>Writes docs/CONFORMANCE.md: the totals per tier and one row per test.</summary>
internal static class ConformanceReport
{
    public static string Render(IReadOnlyList<CheckResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("""
            # Conformance with suricata-verify

            This file is written by the suricata-verify runner (`tests/Capture.Verify.Tests`, trait
            `Category=SharedCaptures`): it runs every test of the suricata-verify subset in
            `../shared/suricata-verify` through the built host the way Suricata's `run.py` starts
            Suricata — the test's `args`, `--init-errors-fatal`, `-l <out>`, `--simulate-ips` when the
            test's name has "ips" in it, `-c` the test's suricata.yaml or else modern Suricata's default
            `suricata.yaml.in` with its placeholders filled, `-r <pcap>`, and `-S <rules>` or
            `--disable-detection` — two hosts at a time, and scores the checks of its `test.yaml` as
            `run.py` does.

            Scored (claimed): `filter` checks on `flow`, `anomaly`, `stats`, `alert` and `drop` events,
            and each counter of a `stats` check under `decoder.`, `flow.` and `defrag.`. Not claimed:
            application-layer records (`http`, `dns`, `smtp`, `fileinfo`, ...), other counters, shell
            checks. Not applicable: checks whose
            `requires` names another Suricata version than 9, or a build feature the host's
            `--build-info` "Features:" line does not list (run.py skips those tests too; here only
            `QA_SIMULATION`, Suricata's fault-injection build).

            A scored check that does not agree is listed, with its reason, in
            `tests/Capture.Verify.Tests/expected-failures.tsv`; the runner fails when a scored check
            that is not listed disagrees, and when a listed one agrees (the list only shrinks).
            Tier A: tests without rules or IPS simulation; tier B: the others.

            Every EVE event of every run, and of the shipped sample's run (`samples/sample.pcap` with
            `samples/sample.rules`), is validated against Suricata's EVE schema
            (`eve-schema.json`, JSON Schema 2020-12); one event that does not validate fails the tests.

            """);
        text.AppendLine("| tier | scored checks agreeing | tests agreeing on every scored check |");
        text.AppendLine("|---|---|---|");
        foreach (IGrouping<string, CheckResult> tier in results.Where(r => r.Check.Scored).GroupBy(r => r.Run.Test.Tier).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            (int agree, int total, int testsAgree, int tests) = Totals(tier);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {tier.Key} | {agree} of {total} | {testsAgree} of {tests} |");
        }

        text.AppendLine();
        text.AppendLine("| test | tier | agree | expected to fail | not claimed | not applicable | why |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (IGrouping<VerifyRun, CheckResult> test in results.GroupBy(r => r.Run))
        {
            int scored = test.Count(r => r.Check.Scored);
            int agree = test.Count(r => r.State is CheckState.Agrees or CheckState.ListedButAgrees);
            string why = test.Key.Failure is { } failure
                ? $"the run stops (exit {test.Key.ExitCode}): {Cell(Relative(failure))}"
                : string.Join("; ", test.Where(r => r.Got is not null).Select(r => $"`{r.Check.Id[test.Key.Test.Name.Length..]}` {Cell(r.Check.Description)}: got {Cell(r.Got!)} ({Cell(r.Reason ?? "not listed")})"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {test.Key.Test.Name} | {test.Key.Test.Tier} | {agree} of {scored} | {test.Count(r => r.State == CheckState.ExpectedFailure)} | {test.Count(r => r.State == CheckState.NotClaimed)} | {test.Count(r => r.State == CheckState.NotApplicable)} | {why} |");
        }

        text.AppendLine();
        text.AppendLine("Expected failures by reason:");
        text.AppendLine();
        foreach (IGrouping<string, CheckResult> reason in results.Where(r => r.State == CheckState.ExpectedFailure).GroupBy(r => r.Reason!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {reason.Count()}: {reason.Key}");
        }

        return text.ToString();
    }

    /// <summary>Scored checks agreeing and in all, tests agreeing on every scored check and tests with one.</summary>
    public static (int Agree, int Total, int TestsAgree, int Tests) Totals(IEnumerable<CheckResult> scored)
    {
        CheckResult[] list = [.. scored.Where(r => r.Check.Scored)];
        var byTest = list.GroupBy(r => r.Run.Test.Name).ToList();
        return (
            list.Count(r => r.Got is null),
            list.Length,
            byTest.Count(g => g.All(r => r.Got is null)),
            byTest.Count);
    }

    /// <summary>Paths below the suricata-verify folder, written relative to it (the table reads the same on every machine).</summary>
    private static string Relative(string text) => text.Replace(SuricataVerifyFolder.Directory + "/", string.Empty, StringComparison.Ordinal);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
