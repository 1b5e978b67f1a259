using System.Globalization;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Configuration;

/// <summary>
/// Checks a configuration tree against the declared sections (the host's and the loaded plugins'):
/// a declared key of the wrong type or out of range fails naming what is allowed; an undeclared key
/// inside a declared section warns with its path (and the nearest declared name); a section nobody
/// declares is reported once, since Suricata's files hold many sections this host does not implement.
/// </summary>
internal sealed class ConfigurationValidator(ILogger logger, Action<ConfigNode, string> warn)
{
    /// <summary>Checks <paramref name="root"/>.</summary>
    /// <returns>The top-level sections no declaration claims, in file order.</returns>
    /// <exception cref="ConfigurationException">A declared key holds a value that is not allowed.</exception>
    public IReadOnlyList<string> Validate(ConfigNode root, IReadOnlyList<ConfigKey> sections)
    {
        var undeclared = new List<string>();
        foreach (KeyValuePair<string, ConfigNode> entry in root.Entries)
        {
            if (Find(sections, entry.Key) is { } section)
            {
                Check(entry.Value, section);
            }
            else if (Nearest(entry.Key, sections) is { } near)
            {
                warn(entry.Value, $"unknown section '{entry.Key}' ignored; did you mean {near}?");
            }
            else
            {
                ConfigurationLog.SectionNotDeclared(logger, entry.Value.Location, entry.Key);
                undeclared.Add(entry.Key);
            }
        }

        return undeclared;
    }

    private void Check(ConfigNode node, ConfigKey key)
    {
        if (key.NotUsed)
        {
            ConfigurationLog.SettingNotUsed(logger, node.Location, node.Path);
            return;
        }

        if (key.IgnoredWarning is { } ignored)
        {
            warn(node, ignored);
            return;
        }

        bool absent = node.Kind == ConfigNodeKind.Scalar && node.Value is null;
        switch (key.Type)
        {
            case ConfigValueType.Boolean:
                _ = node.AsBoolean();
                break;
            case ConfigValueType.Integer when !IsWord(node, key):
                CheckInteger(node, key);
                break;
            case ConfigValueType.Size when !IsWord(node, key):
                // Parsing errors say how a size is written; the range is said as the declaration says it.
                long bytes = node.AsSize(0, long.MaxValue);
                if (bytes < (key.Minimum ?? 0) || bytes > (key.Maximum ?? long.MaxValue))
                {
                    throw node.Error($"{node.Value} is out of range; expected a {key.DescribeAllowed()}");
                }

                break;
            case ConfigValueType.Number:
                CheckNumber(node, key);
                break;
            case ConfigValueType.Text:
                _ = node.AsText();
                break;
            case ConfigValueType.Choice when !IsWord(node, key):
                throw node.Error($"'{node.Value}' is not allowed; expected one of: {string.Join(", ", key.Allowed)}");
            case ConfigValueType.List when !absent && node.Kind == ConfigNodeKind.Mapping:
                throw node.Error($"expected a list ({key.Description}), found a mapping");
            case ConfigValueType.Mapping when !absent:
                if (node.Kind != ConfigNodeKind.Mapping)
                {
                    throw node.Error($"expected a mapping of settings (key: value), found {(node.Kind == ConfigNodeKind.Sequence ? "a list" : $"'{node.Value}'")}");
                }

                CheckEntries(node, key);
                break;
            case ConfigValueType.InterfaceList when !absent:
                foreach (ConfigNode item in Items(node, "a list of '- interface: <name>' entries"))
                {
                    if (item.Kind != ConfigNodeKind.Mapping)
                    {
                        throw item.Error("expected an entry '- interface: <name>' with its options");
                    }

                    CheckEntries(item, key);
                }

                break;
            case ConfigValueType.NamedList when !absent:
                string example = key.Keys.Count > 0 ? $"'- {key.Keys[0].Name}: {{ ... }}'" : "'- name: { ... }'";
                foreach (ConfigNode item in Items(node, $"a list of one-key items, e.g. {example}"))
                {
                    if (item.Kind != ConfigNodeKind.Mapping || item.Entries.Count != 1)
                    {
                        throw item.Error($"expected one item per list entry, e.g. {example}");
                    }

                    CheckEntries(item, key);
                }

                break;
        }
    }

    private void CheckEntries(ConfigNode node, ConfigKey key)
    {
        foreach (KeyValuePair<string, ConfigNode> entry in node.Entries)
        {
            if (Find(key.Keys, entry.Key) is { } child)
            {
                Check(entry.Value, child);
            }
            else if (!key.OpenKeys)
            {
                warn(entry.Value, Nearest(entry.Key, key.Keys) is { } near
                    ? $"unknown key '{entry.Key}' ignored; did you mean {near}?"
                    : $"unknown key '{entry.Key}' ignored; expected one of: {string.Join(", ", key.Keys.Where(k => !k.NotUsed).Select(k => k.Name))}");
            }
        }
    }

    private static void CheckInteger(ConfigNode node, ConfigKey key)
    {
        string? text = node.AsText();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw node.Error($"'{node.Value}' is not allowed; expected an {key.DescribeAllowed()}");
        }

        if (value < (key.Minimum ?? long.MinValue) || value > (key.Maximum ?? long.MaxValue))
        {
            throw node.Error($"{value} is out of range; expected an {key.DescribeAllowed()}");
        }
    }

    private static void CheckNumber(ConfigNode node, ConfigKey key)
    {
        string? text = node.AsText();
        string range = key.DescribeAllowed();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw node.Error($"'{node.Value}' is not allowed; expected a {range}");
        }

        if ((key.Minimum is { } min && value < min) || (key.Maximum is { } max && value > max))
        {
            throw node.Error($"{text} is out of range; expected a {range}");
        }
    }

    private static IReadOnlyList<ConfigNode> Items(ConfigNode node, string expected) =>
        node.Kind == ConfigNodeKind.Sequence ? node.Items : throw node.Error($"expected {expected}");

    private static bool IsWord(ConfigNode node, ConfigKey key) =>
        node.Kind == ConfigNodeKind.Scalar && key.Allowed.Any(word => string.Equals(word, node.Value?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static ConfigKey? Find(IReadOnlyList<ConfigKey> keys, string name)
    {
        foreach (ConfigKey key in keys)
        {
            if (string.Equals(key.Name, name, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>The declared name a typo most likely meant: at most two edits away (one for names of up to five letters), else null.</summary>
    private static string? Nearest(string name, IReadOnlyList<ConfigKey> keys)
    {
        int allowed = name.Length <= 5 ? 1 : 2;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (ConfigKey key in keys)
        {
            int distance = EditDistance(name, key.Name);
            if (!key.NotUsed && distance <= allowed && distance < bestDistance)
            {
                (best, bestDistance) = (key.Name, distance);
            }
        }

        return best;
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) from one name to the other, case-insensitive.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
