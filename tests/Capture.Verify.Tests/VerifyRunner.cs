using System.Diagnostics;
using Capture.Tests.Host;

namespace Capture.Verify.Tests;

/// <summary>
/// Starts the built host on a suricata-verify test as Suricata's run.py starts Suricata:
/// <c>&lt;args&gt; --init-errors-fatal -l &lt;out&gt; [--simulate-ips] -c &lt;suricata.yaml&gt; -r &lt;pcap&gt; ([--firewall-rules-exclusive firewall.rules] [-S &lt;rules&gt;] | --disable-detection)</c>,
/// with the test's own suricata.yaml, else the default one, and <c>--simulate-ips</c> when the
/// test's name has "ips" in it.
/// </summary>
internal static class VerifyRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs every test, <paramref name="parallelism"/> hosts at a time, in the tests' order.</summary>
    public static async Task<IReadOnlyList<VerifyRun>> RunAllAsync(IReadOnlyList<VerifyTest> tests, string workDirectory, int parallelism)
    {
        string defaultYaml = DefaultSuricataYaml.Write(Directory.CreateDirectory(Path.Combine(workDirectory, "default")).FullName);
        var runs = new VerifyRun[tests.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, tests.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            (i, _) =>
            {
                string output = Directory.CreateDirectory(Path.Combine(workDirectory, "runs", Path.GetFileName(tests[i].Directory))).FullName;
                runs[i] = Run(tests[i], defaultYaml, output);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        return runs;
    }

    /// <summary>The host's arguments for <paramref name="test"/>, as run.py builds Suricata's.</summary>
    public static IReadOnlyList<string> Arguments(VerifyTest test, string defaultYaml, string output)
    {
        var args = new List<string>(test.Arguments) { "--init-errors-fatal", "-l", output };
        if (test.Name.Contains("ips", StringComparison.Ordinal))
        {
            args.Add("--simulate-ips");
        }

        string ownYaml = Path.Combine(test.Directory, "suricata.yaml");
        args.AddRange(["-c", File.Exists(ownYaml) ? ownYaml : defaultYaml, "-r", test.Pcap]);
        // As run.py: a file named firewall.rules is loaded with --firewall-rules-exclusive (firewall
        // mode), and may come with a td.rules for threat detection.
        string[] rules = [.. Directory.GetFiles(test.Directory, "*.rules").Order(StringComparer.Ordinal)];
        string? firewall = Array.Find(rules, r => r.EndsWith("firewall.rules", StringComparison.Ordinal));
        string[] others = [.. rules.Where(r => r != firewall)];
        if (others.Length > 1 || (firewall is not null && others.Length == 1 && !others[0].EndsWith("td.rules", StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{test.Directory}: more than one rules file, other than firewall.rules and td.rules (run.py refuses that too)");
        }

        if (firewall is not null)
        {
            args.AddRange(["--firewall-rules-exclusive", firewall]);
        }

        if (others.Length == 1)
        {
            args.AddRange(["-S", others[0]]);
        }
        else if (firewall is null)
        {
            args.Add("--disable-detection");
        }

        return args;
    }

    private static VerifyRun Run(VerifyTest test, string defaultYaml, string output)
    {
        var clock = Stopwatch.StartNew();
        using RunningHost host = DetectSampleLocation.Start([.. Arguments(test, defaultYaml, output)]);
        (int exitCode, string stdout, string stderr) = host.WaitForExit(Timeout);
        string eve = Path.Combine(output, "eve.json");
        string? failure = exitCode == 0 ? null : LastErrorLine(stderr, stdout);
        return new VerifyRun(test, exitCode, failure, File.Exists(eve) ? EveEvents.Read(eve) : EveEvents.Empty, clock.Elapsed, File.Exists(eve) ? eve : null);
    }

    /// <summary>The host's own error line (it starts with "Detect.Sample: ") on stderr, else stderr's last line.</summary>
    private static string LastErrorLine(string stderr, string stdout)
    {
        const string Prefix = "Detect.Sample: ";
        string[] lines = [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        return Array.FindLast(lines, l => l.StartsWith(Prefix, StringComparison.Ordinal))?[Prefix.Length..]
            ?? (lines.Length > 0 ? lines[^1] : stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no output");
    }
}
