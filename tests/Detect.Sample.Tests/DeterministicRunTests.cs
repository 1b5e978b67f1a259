using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
            return (label, Summary(result.Output, logDirectory), FlowRecords(Path.Combine(logDirectory, "eve.json")));
        }
        finally
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }

    /// <summary>The summary printed at the end, with the elapsed time and the log directory left out.</summary>
    private static string Summary(string output, string logDirectory)
    {
        Match headline = Regex.Match(output, @"^Detect\.Sample: [\d,]+ packets", RegexOptions.Multiline, TimeSpan.FromSeconds(5));
        Assert.True(headline.Success, $"no summary in:\n{output}");
        var lines = new List<string>();
        foreach (string line in output[headline.Index..].Split('\n'))
        {
            string text = line.TrimEnd('\r').Replace(logDirectory, "<log-dir>", StringComparison.Ordinal);
            int elapsed = text.IndexOf(" in ", StringComparison.Ordinal);
            if (text.StartsWith("Detect.Sample: ", StringComparison.Ordinal) && elapsed > 0)
            {
                text = text[..elapsed] + " in <elapsed>";
            }

            lines.Add(text);
        }

        return string.Join('\n', lines).Trim();
    }

    /// <summary>
    /// Every flow record as canonical JSON, sorted. <c>flow_id</c> is random per run by design (keyed
    /// with a per-process secret), so it is left out, and <c>parent_id</c> is replaced by the
    /// parent's own record, which identifies it as well; everything else is compared as written.
    /// </summary>
    private static List<string> FlowRecords(string evePath)
    {
        var flows = new List<JsonObject>();
        foreach (string line in File.ReadLines(evePath))
        {
            if (JsonNode.Parse(line) is JsonObject e && (string?)e["event_type"] == "flow")
            {
                flows.Add(e);
            }
        }

        var byId = new Dictionary<long, string>();
        foreach (JsonObject flow in flows)
        {
            long id = (long)flow["flow_id"]!;
            JsonObject copy = (JsonObject)flow.DeepClone();
            copy.Remove("flow_id");
            copy.Remove("parent_id");
            byId.Add(id, Canonical(copy));
        }

        var records = new List<string>(flows.Count);
        foreach (JsonObject flow in flows)
        {
            long id = (long)flow["flow_id"]!;
            string record = byId[id];
            if (flow["parent_id"] is { } parent)
            {
                record += " parent=" + byId[(long)parent];
            }

            records.Add(record);
        }

        records.Sort(StringComparer.Ordinal);
        return records;
    }

    private static string Canonical(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + (p.Value is null ? "null" : Canonical(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(v => v is null ? "null" : Canonical(v))) + "]",
        _ => node.ToJsonString(),
    };
}
