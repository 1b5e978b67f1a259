using System.Globalization;
using System.Text.Json;

namespace Capture.Hosting.Plugins;

/// <summary>
/// A plugin directory's <c>plugin.json</c>:
/// <c>{"name": "pcap-file", "assembly": "Capture.Pcap.dll", "contractVersion": "1.0", "entryType": "optional.Type.Name"}</c>.
/// </summary>
/// <param name="Name">The capture name the plugin registers under.</param>
/// <param name="Assembly">The entry assembly, a file name in the plugin directory.</param>
/// <param name="ContractVersion">The contract version the plugin was built against.</param>
/// <param name="EntryType">The full name of the <c>ICapturePlugin</c> type, or null to find the only one.</param>
public sealed record CapturePluginManifest(string Name, string Assembly, Version ContractVersion, string? EntryType)
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "plugin.json";

    /// <summary>Reads and validates the manifest of a plugin directory.</summary>
    /// <param name="directory">The plugin directory.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="CapturePluginException">The manifest is missing or wrong; the message names the field.</exception>
    public static CapturePluginManifest Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, FileName);
        string dirName = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (!File.Exists(path))
        {
            throw new CapturePluginException(dirName, directory, $"no {FileName} manifest in the plugin directory");
        }

        Dictionary<string, Field>? fields;
        try
        {
            fields = ReadFields(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new CapturePluginException(dirName, directory, $"{FileName} is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new CapturePluginException(dirName, directory, $"{FileName} cannot be read: {ex.Message}", ex);
        }

        if (fields is null)
        {
            throw new CapturePluginException(dirName, directory, $"{FileName} must be a JSON object with \"name\", \"assembly\" and \"contractVersion\"");
        }

        string name = RequiredString(fields, "name", dirName, directory);
        if (!IsValidName(name))
        {
            throw new CapturePluginException(name, directory, $"{FileName} field \"name\" is '{name}'; expected lower-case letters, digits and '-' (e.g. af-packet)");
        }

        string assembly = RequiredString(fields, "assembly", name, directory);
        if (Path.IsPathRooted(assembly) || assembly.Contains("..", StringComparison.Ordinal) || !assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            throw new CapturePluginException(name, directory, $"{FileName} field \"assembly\" is '{assembly}'; expected a .dll file name inside the plugin directory");
        }

        string versionText = RequiredString(fields, "contractVersion", name, directory);
        if (!Version.TryParse(versionText, out Version? version) || version.Major < 0 || version.Minor < 0 || versionText.Count(c => c == '.') != 1)
        {
            throw new CapturePluginException(name, directory, $"{FileName} field \"contractVersion\" is '{versionText}'; expected major.minor, e.g. \"1.0\"");
        }

        string? entryType = null;
        if (fields.TryGetValue("entryType", out Field entry) && entry.Kind != JsonTokenType.Null)
        {
            if (entry.Kind != JsonTokenType.String || string.IsNullOrWhiteSpace(entry.Text))
            {
                throw new CapturePluginException(name, directory, $"{FileName} field \"entryType\" must be a type's full name (a string)");
            }

            entryType = entry.Text.Trim();
        }

        return new CapturePluginManifest(name, assembly, version, entryType);
    }

    /// <summary>The contract version as text (<c>1.0</c>).</summary>
    /// <returns>major.minor.</returns>
    public string ContractVersionText() => string.Create(CultureInfo.InvariantCulture, $"{ContractVersion.Major}.{ContractVersion.Minor}");

    private static string RequiredString(Dictionary<string, Field> fields, string field, string pluginName, string directory)
    {
        if (!fields.TryGetValue(field, out Field value))
        {
            throw new CapturePluginException(pluginName, directory, $"{FileName} field \"{field}\" is missing");
        }

        if (value.Kind != JsonTokenType.String || string.IsNullOrWhiteSpace(value.Text))
        {
            throw new CapturePluginException(pluginName, directory, $"{FileName} field \"{field}\" must be a non-empty string");
        }

        return value.Text.Trim();
    }

    /// <summary>
    /// The top-level fields of the manifest (a field given twice: the last one, as a JSON document
    /// reads it), or null when the text is a JSON value but not an object. A reader, not a
    /// document: the manifest is a handful of strings, and a document's pooled buffers added ~0.5 MB
    /// to the peak memory of every run. The whole text is read, so anything after the value is invalid JSON.
    /// </summary>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    private static Dictionary<string, Field>? ReadFields(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        reader.Read();
        Dictionary<string, Field>? fields = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            fields = new Dictionary<string, Field>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                fields[name] = new Field(reader.TokenType, reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
                reader.Skip();
            }
        }
        else
        {
            reader.Skip();
        }

        while (reader.Read())
        {
            // Only comments may follow the value; anything else throws.
        }

        return fields;
    }

    private static bool IsValidName(string name) =>
        name.Length <= 64 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_') && char.IsAsciiLetterLower(name[0]);

    /// <summary>One top-level field: its token kind and, for a string, its text.</summary>
    private readonly record struct Field(JsonTokenType Kind, string? Text);
}
