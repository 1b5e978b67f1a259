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

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CapturePluginException(dirName, directory, $"{FileName} is not valid JSON (line {ex.LineNumber + 1}): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new CapturePluginException(dirName, directory, $"{FileName} cannot be read: {ex.Message}", ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CapturePluginException(dirName, directory, $"{FileName} must be a JSON object with \"name\", \"assembly\" and \"contractVersion\"");
            }

            string name = RequiredString(root, "name", dirName, directory);
            if (!IsValidName(name))
            {
                throw new CapturePluginException(name, directory, $"{FileName} field \"name\" is '{name}'; expected lower-case letters, digits and '-' (e.g. af-packet)");
            }

            string assembly = RequiredString(root, "assembly", name, directory);
            if (Path.IsPathRooted(assembly) || assembly.Contains("..", StringComparison.Ordinal) || !assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                throw new CapturePluginException(name, directory, $"{FileName} field \"assembly\" is '{assembly}'; expected a .dll file name inside the plugin directory");
            }

            string versionText = RequiredString(root, "contractVersion", name, directory);
            if (!Version.TryParse(versionText, out Version? version) || version.Major < 0 || version.Minor < 0 || versionText.Count(c => c == '.') != 1)
            {
                throw new CapturePluginException(name, directory, $"{FileName} field \"contractVersion\" is '{versionText}'; expected major.minor, e.g. \"1.0\"");
            }

            string? entryType = null;
            if (root.TryGetProperty("entryType", out JsonElement entry) && entry.ValueKind != JsonValueKind.Null)
            {
                if (entry.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(entry.GetString()))
                {
                    throw new CapturePluginException(name, directory, $"{FileName} field \"entryType\" must be a type's full name (a string)");
                }

                entryType = entry.GetString()!.Trim();
            }

            return new CapturePluginManifest(name, assembly, version, entryType);
        }
    }

    /// <summary>The contract version as text (<c>1.0</c>).</summary>
    /// <returns>major.minor.</returns>
    public string ContractVersionText() => string.Create(CultureInfo.InvariantCulture, $"{ContractVersion.Major}.{ContractVersion.Minor}");

    private static string RequiredString(JsonElement root, string field, string pluginName, string directory)
    {
        if (!root.TryGetProperty(field, out JsonElement value))
        {
            throw new CapturePluginException(pluginName, directory, $"{FileName} field \"{field}\" is missing");
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new CapturePluginException(pluginName, directory, $"{FileName} field \"{field}\" must be a non-empty string");
        }

        return value.GetString()!.Trim();
    }

    private static bool IsValidName(string name) =>
        name.Length <= 64 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_') && char.IsAsciiLetterLower(name[0]);
}
