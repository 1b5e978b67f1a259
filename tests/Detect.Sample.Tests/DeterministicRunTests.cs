using System.Globalization;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>
/// The shipped sample gives the same flow records and the same summary on every run and with one
/// or two workers: the pcap plugin's software bypass acts at a defined packet, not where the
/// reader happened to be.
/// </summary>
public sealed class DeterministicRunTests
{
    private const int RunsPerWorkerCount = 5;

    [Fact]
    public void Sample_gives_identical_flow_records_and_summary_on_every_run_and_worker_count()
    {
        var runs = new List<(string Label, string Summary, List<string> Flows)>();
        foreach (int workers in new[] { 1, 2 })
        {
            for (int i = 0; i < RunsPerWorkerCount; i++)
            {
                runs.Add(Run(workers, i));
            }
        }

        (string firstLabel, string summary, List<string> flows) = runs[0];
        Assert.Contains("Detect.Sample: 2,264 packets, 722,620 bytes in <elapsed>", summary, StringComparison.Ordinal);
        Assert.Equal(266, flows.Count);
        foreach ((string label, string otherSummary, List<string> otherFlows) in runs.Skip(1))
        {
            Assert.True(summary == otherSummary, $"{label} printed another summary than {firstLabel}:\n{otherSummary}\n--- against\n{summary}");
            Assert.Equal(otherFlows.Count, flows.Count);
            for (int i = 0; i < flows.Count; i++)
            {
                Assert.True(flows[i] == otherFlows[i], $"{label} differs from {firstLabel} at flow {i}:\n{otherFlows[i]}\n--- against\n{flows[i]}");
            }
        }
    }

    private static (string Label, string Summary, List<string> Flows) Run(int workers, int index)
    {
        string label = string.Create(CultureInfo.InvariantCulture, $"run {index + 1} with {workers} worker(s)");
        string logDirectory = Directory.CreateTempSubdirectory("detect-determinism-").FullName;
        try
        {
            // Suricata's autofp: detect threads = online CPUs x ratio; half a thread more than asked
            // for, so the truncation gives exactly the count whatever the machine.
            string ratio = ((workers + 0.5) / Environment.ProcessorCount).ToString("R", CultureInfo.InvariantCulture);
            HostResult result = DetectHostProcess.Run("-v", "-l", logDirectory, "--set", $"threading.detect-thread-ratio={ratio}");
            Assert.True(result.ExitCode == 0, $"{label}: {result}");
            string all = result.Output + result.Error;
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Flow engine: {workers} worker(s)"), all, StringComparison.Ordinal);
            return (label, RunRecords.Summary(result.Output, logDirectory), RunRecords.FlowRecords(Path.Combine(logDirectory, "eve.json")));
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }
}
