using Capture.Abstractions;
using Capture.Linux.Configuration;

namespace Capture.Netronome.Configuration;

/// <summary>
/// The YAML nodes behind one interface of the <c>netronome:</c> section (its entry and the
/// <c>interface: default</c> entry), so that offload checks can name the file, line and key of
/// the value they refuse. Lookups follow <see cref="LiveInterfaceConfiguration"/>: entry first, then default.
/// </summary>
internal sealed class InterfaceNodes
{
    private InterfaceNodes(string section, string interfaceName, ConfigNode? entry, ConfigNode? defaults)
    {
        Section = section;
        Interface = interfaceName;
        Entry = entry;
        Defaults = defaults;
    }

    public string Section { get; }

    public string Interface { get; }

    /// <summary>The interface's own entry, or null.</summary>
    public ConfigNode? Entry { get; }

    /// <summary>The <c>interface: default</c> entry, or null.</summary>
    public ConfigNode? Defaults { get; }

    /// <summary>Finds the entries of <paramref name="interfaceName"/> in <paramref name="section"/> (already validated by <see cref="LiveInterfaceConfiguration.Read"/>).</summary>
    public static InterfaceNodes Find(ConfigNode root, string section, string interfaceName)
    {
        ConfigNode? entry = null;
        ConfigNode? defaults = null;
        if (root[section] is { Kind: ConfigNodeKind.Sequence } list)
        {
            foreach (ConfigNode item in list.Items)
            {
                string? name = item["interface"]?.Value?.Trim();
                if (string.Equals(name, LiveInterfaceConfiguration.DefaultInterface, StringComparison.Ordinal))
                {
                    defaults = item;
                }
                else if (string.Equals(name, interfaceName, StringComparison.Ordinal))
                {
                    entry = item;
                }
            }
        }

        return new InterfaceNodes(section, interfaceName, entry, defaults);
    }

    /// <summary>The node that supplies <paramref name="key"/>: the entry's, else the default entry's, else null.</summary>
    public ConfigNode? Lookup(string key) => Entry?[key] ?? Defaults?[key];

    /// <summary>
    /// The node that decides per-CPU versus shared maps for <paramref name="key"/>: the level (entry or
    /// default) that sets <c>use-percpu-hash</c> or <c>no-percpu-hash</c> decides both, as the reader does.
    /// </summary>
    public ConfigNode? PercpuLookup(string key)
    {
        ConfigNode? level = Entry is not null && (Entry["use-percpu-hash"] is not null || Entry["no-percpu-hash"] is not null) ? Entry : Defaults;
        return level?[key];
    }

    /// <summary>An error about a key nobody set: located at the interface's entry (or default entry).</summary>
    public ConfigurationException Missing(string key, string problem)
    {
        ConfigNode? at = Entry ?? Defaults;
        string path = at is null ? $"{Section}.{Interface}.{key}" : $"{at.Path}.{key}";
        return new ConfigurationException(at?.File, at?.Line ?? 0, path, problem);
    }
}
