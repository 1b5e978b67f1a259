using System.Net;
using System.Text.Json;

namespace Detect.Sample.Tests;

/// <summary>Finds records in an eve.json the tests' captures wrote.</summary>
internal static class EveRecords
{
    /// <summary>The one record of <paramref name="type"/> whose sender is <paramref name="sender"/>, as written.</summary>
    public static string BySender(string eve, string type, string sender)
    {
        IPAddress address = IPAddress.Parse(sender);
        return Assert.Single(File.ReadLines(eve), line =>
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            return e.GetProperty("event_type").GetString() == type
                && e.TryGetProperty("src_ip", out JsonElement source) && IPAddress.Parse(source.GetString()!).Equals(address);
        });
    }
}
