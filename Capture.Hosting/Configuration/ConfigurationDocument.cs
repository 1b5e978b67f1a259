using System.Text;
using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>
/// Writes the key tables of docs/CONFIG.md from the declarations: each table sits between
/// <c>&lt;!-- config-keys SECTION --&gt;</c> and <c>&lt;!-- /config-keys --&gt;</c>, and the prose
/// around the markers is left as it is. <c>&lt;!-- config-keys not-used --&gt;</c> lists the
/// sections declared as accepted and not used.
/// </summary>
internal static class ConfigurationDocument
{
    public const string NotUsedMarker = "not-used";
    private const string Open = "<!-- config-keys ";
    private const string Close = "<!-- /config-keys -->";

    /// <summary>The markdown with every marked table rewritten from <paramref name="sections"/>.</summary>
    /// <exception cref="InvalidOperationException">A marker names no declared section, is not closed, or a declared section has no marker.</exception>
    public static string Update(string markdown, IReadOnlyList<ConfigKey> sections)
    {
        var output = new StringBuilder(markdown.Length);
        var documented = new HashSet<string>(StringComparer.Ordinal);
        int position = 0;
        while (markdown.IndexOf(Open, position, StringComparison.Ordinal) is var start and >= 0)
        {
            int nameEnd = markdown.IndexOf("-->", start, StringComparison.Ordinal);
            int end = markdown.IndexOf(Close, start, StringComparison.Ordinal);
            if (nameEnd < 0 || end < 0)
            {
                throw new InvalidOperationException($"a '{Open}' marker at offset {start} is not closed by '{Close}'");
            }

            string name = markdown[(start + Open.Length)..nameEnd].Trim();
            string table = string.Equals(name, NotUsedMarker, StringComparison.Ordinal)
                ? NotUsedLine(sections.Where(s => s.NotUsed).Select(s => s.Name))
                : Table(sections.SingleOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))
                    ?? throw new InvalidOperationException($"CONFIG.md has a table for '{name}', which nobody declares"));
            documented.Add(name);
            output.Append(markdown, position, nameEnd + 3 - position).Append('\n').Append(table).Append(Close);
            position = end + Close.Length;
        }

        output.Append(markdown, position, markdown.Length - position);
        string[] missing = [.. sections.Where(s => !s.NotUsed && !documented.Contains(s.Name)).Select(s => s.Name)];
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"CONFIG.md has no table for {string.Join(", ", missing)}; add '{Open}NAME -->' and '{Close}' where it belongs");
        }

        return output.ToString();
    }

    /// <summary>One section's table: every key (sub-sections' keys by dotted path), then the keys accepted and not used.</summary>
    public static string Table(ConfigKey section)
    {
        var text = new StringBuilder();
        text.Append("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        var notUsed = new List<string>();
        IEnumerable<(string Path, ConfigKey Key)> rows = section.Keys.Count == 0 ? [(section.Name, section)] : Leaves(string.Empty, section.Keys);
        foreach ((string path, ConfigKey key) in rows)
        {
            if (key.NotUsed)
            {
                notUsed.Add(path);
                continue;
            }

            string allowed = key.IgnoredWarning is null ? key.DescribeAllowed() : "ignored";
            string meaning = key.IgnoredWarning ?? key.Description;
            text.Append($"| `{path}` | {Cell(key.Default ?? "—")} | {Cell(allowed)} | {Cell(meaning)} |\n");
        }

        if (notUsed.Count > 0)
        {
            text.Append('\n').Append(NotUsedLine(notUsed));
        }

        return text.ToString();
    }

    private static IEnumerable<(string Path, ConfigKey Key)> Leaves(string prefix, IReadOnlyList<ConfigKey> keys)
    {
        foreach (ConfigKey key in keys)
        {
            string path = prefix + key.Name;
            if (key.Keys.Count > 0 && !key.NotUsed)
            {
                foreach ((string Path, ConfigKey Key) leaf in Leaves(path + ".", key.Keys))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (path, key);
            }
        }
    }

    private static string NotUsedLine(IEnumerable<string> names) => $"Accepted, not used: {string.Join(", ", names.Select(n => $"`{n}`"))}.\n";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
