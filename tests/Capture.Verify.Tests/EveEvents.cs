using System.Text.Json;

namespace Capture.Verify.Tests;

/// <summary>The EVE events of one run, in the matching model (<see cref="EveMatch"/>).</summary>
internal sealed class EveEvents
{
    public EveEvents(IReadOnlyList<Dictionary<string, object?>> events)
    {
        Events = events;
        LastStats = events.LastOrDefault(e => e.TryGetValue("event_type", out object? t) && t is "stats") is { } last && last.TryGetValue("stats", out object? stats)
            ? stats as Dictionary<string, object?>
            : null;
    }

    public static EveEvents Empty { get; } = new([]);

    public IReadOnlyList<Dictionary<string, object?>> Events { get; }

    /// <summary>The <c>stats</c> object of the last stats record (what a stats check reads).</summary>
    public Dictionary<string, object?>? LastStats { get; }

    /// <summary>Reads an eve.json; a line that is not one JSON object fails the read, naming the line.</summary>
    public static EveEvents Read(string path)
    {
        var events = new List<Dictionary<string, object?>>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                events.Add(EveMatch.FromJson(doc.RootElement) as Dictionary<string, object?> ?? throw new InvalidDataException($"{path}:{number}: not a JSON object"));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{number}: {ex.Message}", ex);
            }
        }

        return new EveEvents(events);
    }
}
