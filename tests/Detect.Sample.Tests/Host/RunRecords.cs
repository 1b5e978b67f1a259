using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// What two runs of the host must agree on, in a form that compares: the closing summary and the
/// EVE records, without what differs per process by design.
/// </summary>
internal static class RunRecords
{
    /// <summary>The summary printed at the end, with the elapsed time and the log directory left out.</summary>
    public static string Summary(string output, string logDirectory)
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
    public static List<string> FlowRecords(string evePath)
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

    /// <summary>
    /// Every EVE event but the stats, as canonical JSON, sorted: <c>flow_id</c> and
    /// <c>parent_id</c> (keyed per process) and <c>timestamp</c> left out.
    /// </summary>
    public static List<string> Events(string evePath)
    {
        var events = new List<string>();
        foreach (string line in File.ReadLines(evePath))
        {
            if (JsonNode.Parse(line) is JsonObject e && (string?)e["event_type"] != "stats")
            {
                e.Remove("flow_id");
                e.Remove("parent_id");
                e.Remove("timestamp");
                events.Add(Canonical(e));
            }
        }

        events.Sort(StringComparer.Ordinal);
        return events;
    }
}
