using System.Net;
using System.Text.Json;

namespace Detect.Sample.Tests.Host;

/// <summary>An eve.json file, parsed: every line must be one JSON object.</summary>
internal sealed class EveLog
{
    public EveLog(string path)
    {
        var events = new List<JsonElement>();
        foreach (string line in File.ReadLines(path))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            events.Add(doc.RootElement.Clone());
        }

        Events = events;
    }

    public IReadOnlyList<JsonElement> Events { get; }

    public IEnumerable<JsonElement> OfType(string type) => Events.Where(e => e.GetProperty("event_type").GetString() == type);

    public IReadOnlyList<JsonElement> Flows => [.. OfType("flow")];

    public IReadOnlyList<JsonElement> Alerts => [.. OfType("alert")];

    public JsonElement LastStats => OfType("stats").Last().GetProperty("stats");

    public static long Packets(JsonElement flow) =>
        flow.GetProperty("flow").GetProperty("pkts_toserver").GetInt64() + flow.GetProperty("flow").GetProperty("pkts_toclient").GetInt64();

    /// <summary>An event's address (and port) as tshark writes it: EVE writes IPv6 uncompressed, as Suricata does.</summary>
    public static string Endpoint(JsonElement e, string side)
    {
        string address = IPAddress.Parse(e.GetProperty($"{side}_ip").GetString()!).ToString();
        return e.TryGetProperty($"{side}_port", out JsonElement port) ? $"{address}:{port.GetInt32()}" : address;
    }
}
