namespace Capture.Abstractions;

/// <summary>Shorthands for declaring keys (<see cref="ConfigKey"/>), so a section's declaration reads as a table.</summary>
public static class ConfigKeys
{
    /// <summary>A boolean key.</summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">Its default (<c>yes</c>, <c>no</c>).</param>
    /// <param name="description">What it does.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Boolean(string name, string defaultValue, string description) =>
        new(name, ConfigValueType.Boolean, description) { Default = defaultValue };

    /// <summary>An integer key within <paramref name="minimum"/>..<paramref name="maximum"/>.</summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">Its default.</param>
    /// <param name="minimum">Smallest allowed.</param>
    /// <param name="maximum">Largest allowed.</param>
    /// <param name="description">What it does.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Integer(string name, string? defaultValue, long minimum, long maximum, string description) =>
        new(name, ConfigValueType.Integer, description) { Default = defaultValue, Minimum = minimum, Maximum = maximum };

    /// <summary>A size key (bytes, <c>kb/mb/gb</c>) within <paramref name="minimum"/>..<paramref name="maximum"/> bytes.</summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">Its default (<c>1mb</c>).</param>
    /// <param name="minimum">Smallest allowed, bytes.</param>
    /// <param name="maximum">Largest allowed, bytes.</param>
    /// <param name="description">What it does.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Size(string name, string? defaultValue, long minimum, long maximum, string description) =>
        new(name, ConfigValueType.Size, description) { Default = defaultValue, Minimum = minimum, Maximum = maximum };

    /// <summary>A key that takes one of <paramref name="allowed"/>.</summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">Its default.</param>
    /// <param name="description">What it does.</param>
    /// <param name="allowed">The values allowed.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Choice(string name, string? defaultValue, string description, params string[] allowed) =>
        new(name, ConfigValueType.Choice, description) { Default = defaultValue, Allowed = allowed };

    /// <summary>A text key.</summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">Its default, or null for none.</param>
    /// <param name="description">What it does.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Text(string name, string? defaultValue, string description) =>
        new(name, ConfigValueType.Text, description) { Default = defaultValue };

    /// <summary>A mapping of <paramref name="keys"/> (a section, or a sub-section).</summary>
    /// <param name="name">The key.</param>
    /// <param name="description">What it holds.</param>
    /// <param name="keys">Its keys.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Mapping(string name, string description, params ConfigKey[] keys) =>
        new(name, ConfigValueType.Mapping, description) { Keys = keys };

    /// <summary>Suricata keys the reader accepts and does not use (<see cref="ConfigKey.NotUsed"/>).</summary>
    /// <param name="names">The keys.</param>
    /// <returns>One declaration each.</returns>
    public static IEnumerable<ConfigKey> NotUsed(params string[] names) =>
        names.Select(name => new ConfigKey(name, ConfigValueType.Text, "Suricata setting, accepted and not used") { NotUsed = true });
}
