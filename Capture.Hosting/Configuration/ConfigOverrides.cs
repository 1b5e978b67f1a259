using System.Globalization;
using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>
/// Applies Suricata's <c>--set key.path=value</c> overrides to a configuration tree. Missing
/// mappings and list items are created (<c>af-packet.0.threads=4</c>; an index one past the
/// end appends). Overridden nodes carry the file <c>--set</c> and, as their line, the position
/// of the override on the command line (1 for the first <c>--set</c>).
/// </summary>
public static class ConfigOverrides
{
    /// <summary>The file name given to nodes set from the command line.</summary>
    public const string SourceName = "--set";

    /// <summary>Applies overrides in order (a later one wins).</summary>
    /// <param name="root">The configuration root (a mapping).</param>
    /// <param name="assignments">Each <c>key.path=value</c>.</param>
    /// <exception cref="ConfigurationException">An override is malformed or addresses a list item that cannot exist.</exception>
    public static void Apply(ConfigNode root, IEnumerable<string> assignments)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(assignments);
        if (root.Kind != ConfigNodeKind.Mapping)
        {
            throw root.Error("the configuration root must be a mapping");
        }

        int position = 0;
        foreach (string assignment in assignments)
        {
            position++;
            int equals = assignment.IndexOf('=', StringComparison.Ordinal);
            string key = equals < 0 ? assignment.Trim() : assignment[..equals].Trim();
            if (equals <= 0 || key.Length == 0)
            {
                throw new ConfigurationException(SourceName, position, key.Length == 0 ? "(empty key)" : key, $"'{assignment}' is not an override; expected <key.path>=<value>, e.g. flow.hash-size=131072");
            }

            string[] segments = key.Split('.');
            if (Array.Exists(segments, static s => s.Trim().Length == 0))
            {
                throw new ConfigurationException(SourceName, position, key, $"'{key}' has an empty path segment; expected names separated by single dots, e.g. af-packet.0.threads");
            }

            string value = assignment[(equals + 1)..];
            Assign(root, segments, 0, value, position);
        }
    }

    /// <summary>Sets the value below <paramref name="current"/>; returns the node that should now stand in its place.</summary>
    private static ConfigNode Assign(ConfigNode? current, string[] segments, int depth, string value, int position)
    {
        string path = string.Join('.', segments, 0, depth);
        if (depth == segments.Length)
        {
            return ConfigNode.CreateScalar(path, value, SourceName, position);
        }

        string segment = segments[depth].Trim();
        bool isIndex = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        string childPath = depth == 0 ? segment : $"{path}.{segment}";
        if (current is null || current.Kind == ConfigNodeKind.Scalar)
        {
            if (isIndex && index != 0)
            {
                throw new ConfigurationException(SourceName, position, childPath, $"list '{path}' does not exist, so item {index} cannot be set; start with index 0");
            }

            current = isIndex ? ConfigNode.CreateSequence(path, SourceName, position) : ConfigNode.CreateMapping(path, SourceName, position);
        }

        if (current.Kind == ConfigNodeKind.Mapping)
        {
            ConfigNode? child = current[segment];
            ConfigNode replacement = Assign(child, segments, depth + 1, value, position);
            if (!ReferenceEquals(child, replacement))
            {
                current.Set(segment, replacement);
            }

            return current;
        }

        // A sequence: address items by index; one past the end appends.
        if (!isIndex)
        {
            throw new ConfigurationException(SourceName, position, childPath, $"'{path}' is a list ({current.Location}); expected an item index 0..{current.Items.Count}, not '{segment}'");
        }

        if (index > current.Items.Count)
        {
            throw new ConfigurationException(SourceName, position, childPath, $"index {index} is beyond the end of list '{path}' ({current.Items.Count} items); expected 0..{current.Items.Count}");
        }

        if (index == current.Items.Count)
        {
            current.Add(Assign(null, segments, depth + 1, value, position));
            return current;
        }

        ConfigNode item = current.Items[index];
        ConfigNode newItem = Assign(item, segments, depth + 1, value, position);
        if (ReferenceEquals(item, newItem))
        {
            return current;
        }

        // ConfigNode lists only grow, so a replaced item means a rebuilt list.
        ConfigNode rebuilt = ConfigNode.CreateSequence(current.Path, current.File, current.Line);
        for (int i = 0; i < current.Items.Count; i++)
        {
            rebuilt.Add(i == index ? newItem : current.Items[i]);
        }

        return rebuilt;
    }
}
