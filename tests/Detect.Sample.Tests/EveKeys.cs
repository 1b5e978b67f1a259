using System.Text;
using System.Text.Json;

namespace Detect.Sample.Tests;

/// <summary>The top-level keys of an EVE line in the order they were written (a parsed document does not promise its order).</summary>
internal static class EveKeys
{
    public static string[] Of(string line)
    {
        var keys = new List<string>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                keys.Add(reader.GetString()!);
            }
        }

        return [.. keys];
    }
}
