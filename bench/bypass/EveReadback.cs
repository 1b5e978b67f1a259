using System.Text.Json;

namespace Capture.Bypass.Bench;

/// <summary>What the host wrote to eve.json: the flow records of the scenario's ports and the last stats event, flattened to dotted names.</summary>
internal sealed class EveReadback
{
    private EveReadback(List<EveFlow> flows, Dictionary<string, long> stats)
    {
        Flows = flows;
        Stats = stats;
    }

    public IReadOnlyList<EveFlow> Flows { get; }

    public IReadOnlyDictionary<string, long> Stats { get; }

    public long Stat(string name) => Stats.TryGetValue(name, out long value) ? value : -1;

    public static EveReadback Read(string path, params int[] ports)
    {
        var flows = new List<EveFlow>();
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            string? type = root.GetProperty("event_type").GetString();
            if (type == "flow" && root.TryGetProperty("dest_port", out JsonElement port) && ports.Contains(port.GetInt32()))
            {
                JsonElement flow = root.GetProperty("flow");
                long bypassed = 0;
                if (flow.TryGetProperty("bypassed", out JsonElement b))
                {
                    bypassed = b.GetProperty("pkts_toserver").GetInt64() + b.GetProperty("pkts_toclient").GetInt64();
                }

                flows.Add(new EveFlow(
                    port.GetInt32(),
                    root.GetProperty("src_port").GetInt32(),
                    flow.GetProperty("pkts_toserver").GetInt64() + flow.GetProperty("pkts_toclient").GetInt64(),
                    bypassed,
                    flow.TryGetProperty("bypass", out JsonElement kind) ? kind.GetString() : null));
            }
            else if (type == "stats")
            {
                stats.Clear();
                Flatten(root.GetProperty("stats"), string.Empty, stats);
            }
        }

        return new EveReadback(flows, stats);
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, long> into)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            string name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Flatten(property.Value, name, into);
            }
            else if (property.Value.ValueKind == JsonValueKind.Number)
            {
                into[name] = property.Value.TryGetInt64(out long value) ? value : (long)property.Value.GetDouble();
            }
        }
    }
}
