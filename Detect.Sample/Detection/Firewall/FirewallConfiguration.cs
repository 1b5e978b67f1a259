using Capture.Abstractions;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// Firewall mode and its rule files as Suricata reads them: on with <c>--firewall</c>,
/// <c>--firewall-rules-exclusive</c> or <c>firewall: true</c> (<c>firewall.enabled</c>); the rules from the
/// exclusive file, else <c>firewall.rule-files</c> in <c>firewall.rule-path</c> (also the older top-level
/// <c>firewall-rule-path</c> / <c>firewall-rule-files</c>). A relative exclusive file is looked up in
/// the rule path.
/// </summary>
internal static class FirewallConfiguration
{
    public static bool Enabled(ConfigNode root, bool commandLine, string? exclusiveFile)
    {
        if (commandLine || exclusiveFile is not null)
        {
            return true;
        }

        return root["firewall"] switch
        {
            { Kind: ConfigNodeKind.Scalar, Value: not null } scalar => scalar.AsBoolean(),
            { Kind: ConfigNodeKind.Mapping } mapping => mapping.GetBoolean("enabled", false),
            _ => false,
        };
    }

    public static IReadOnlyList<string> RuleFiles(ConfigNode root, string? exclusiveFile)
    {
        ConfigNode? section = root["firewall"] is { Kind: ConfigNodeKind.Mapping } mapping ? mapping : null;
        string? rulePath = section?.GetString("rule-path") ?? root.GetString("firewall-rule-path");
        string Resolve(string file) => Path.GetFullPath(Path.IsPathRooted(file) || rulePath is null ? file : Path.Combine(rulePath, file));
        if (exclusiveFile is not null)
        {
            return [Resolve(exclusiveFile)];
        }

        ConfigNode? files = section?["rule-files"] ?? root["firewall-rule-files"];
        return files is null ? [] : [.. files.Items.Select(f => f.Value).OfType<string>().Select(Resolve)];
    }

    /// <summary>
    /// IP reputation as Suricata's SRepInit reads it: off when neither <c>reputation-categories-file</c>
    /// nor <c>reputation-files</c> is set, an error when only one of them is, or when the categories
    /// file cannot be read.
    /// </summary>
    /// <exception cref="InvalidDataException">The settings are incomplete or a file cannot be read; the message says which.</exception>
    public static IpReputation? Reputation(ConfigNode root)
    {
        string? categories = root.GetString("reputation-categories-file");
        ConfigNode? files = root["reputation-files"];
        if (categories is null && files is null)
        {
            return null;
        }

        if (files is null)
        {
            throw new InvalidDataException("\"reputation-files\" not set (IP reputation needs it with reputation-categories-file)");
        }

        if (categories is null)
        {
            throw new InvalidDataException("\"reputation-categories-file\" not set (IP reputation needs it with reputation-files)");
        }

        IReadOnlyList<string> list = files.Kind == ConfigNodeKind.Scalar && files.Value is { } one ? [one] : [.. files.Items.Select(f => f.Value).OfType<string>()];
        try
        {
            return IpReputation.Load(categories, list, root.GetString("default-reputation-path"));
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"failed to load IP reputation: {e.Message}", e);
        }
    }
}
