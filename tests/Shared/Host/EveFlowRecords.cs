// Shared host-test fixtures (tests/Shared/Host). This file: flow records read back from eve.json.
using System.Text.Json;

namespace Capture.Tests.Host;

/// <summary>Finds flow records in an eve.json the host wrote.</summary>
public static class EveFlowRecords
{
    /// <summary>The flow record whose destination port is <paramref name="destinationPort"/>.</summary>
    /// <exception cref="InvalidOperationException">There is none.</exception>
    public static JsonElement ByDestinationPort(string eve, int destinationPort)
    {
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.GetProperty("event_type").GetString() == "flow"
                && root.TryGetProperty("dest_port", out JsonElement port) && port.GetInt32() == destinationPort)
            {
                return root.Clone();
            }
        }

        throw new InvalidOperationException($"no EVE flow record for destination port {destinationPort} in {eve}");
    }
}
