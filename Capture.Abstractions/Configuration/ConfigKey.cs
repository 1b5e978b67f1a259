using System.Globalization;

namespace Capture.Abstractions;

/// <summary>
/// The declaration of one configuration key: its name, what it holds, its default, what is allowed
/// and one line saying what it does (LibDAQ's variable descriptors, for YAML). A top-level key is a
/// section. Whoever reads a section declares it (a plugin through
/// <see cref="ICapturePlugin.ConfigurationSections"/>, the host for its own); the host checks every
/// key of the file against the declarations and documents them from the same declarations.
/// </summary>
public sealed class ConfigKey
{
    /// <summary>Declares a key.</summary>
    /// <param name="name">The key as written in YAML (<c>block-size</c>).</param>
    /// <param name="type">What it holds.</param>
    /// <param name="description">One line: what it does.</param>
    public ConfigKey(string name, ConfigValueType type, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(description);
        Name = name;
        Type = type;
        Description = description;
    }

    /// <summary>The key as written in YAML.</summary>
    public string Name { get; }

    /// <summary>What it holds.</summary>
    public ConfigValueType Type { get; }

    /// <summary>One line: what it does.</summary>
    public string Description { get; }

    /// <summary>The value used when the key is absent, as written in YAML (<c>auto</c>, <c>1mb</c>); null when there is none.</summary>
    public string? Default { get; init; }

    /// <summary>
    /// <see cref="ConfigValueType.Choice"/>: the values allowed. <see cref="ConfigValueType.Integer"/> and
    /// <see cref="ConfigValueType.Size"/>: words allowed besides numbers (<c>auto</c>).
    /// </summary>
    public IReadOnlyList<string> Allowed { get; init; } = [];

    /// <summary>Smallest number allowed (integers, sizes in bytes, numbers); null for no bound.</summary>
    public long? Minimum { get; init; }

    /// <summary>Largest number allowed; null for no bound.</summary>
    public long? Maximum { get; init; }

    /// <summary>The keys of a <see cref="ConfigValueType.Mapping"/>, of each entry of an <see cref="ConfigValueType.InterfaceList"/>, or the item names of a <see cref="ConfigValueType.NamedList"/>.</summary>
    public IReadOnlyList<ConfigKey> Keys { get; init; } = [];

    /// <summary>A mapping whose keys are not declared one by one (names chosen by the operator, such as variables): none is unknown.</summary>
    public bool OpenKeys { get; init; }

    /// <summary>A Suricata key this reader accepts and does not use: not an unknown key, only logged at Debug.</summary>
    public bool NotUsed { get; init; }

    /// <summary>A key accepted and ignored with this warning (deprecated, removed, or not meaningful here); null when the key is read.</summary>
    public string? IgnoredWarning { get; init; }

    /// <summary>
    /// The same key with another default and description, for a reader that shares another's keys
    /// but gives an absent key another meaning (a plugin over af-packet's keys, say).
    /// </summary>
    /// <param name="defaultValue">The new default, or null for none.</param>
    /// <param name="description">The new description.</param>
    /// <returns>A copy.</returns>
    public ConfigKey WithDefault(string? defaultValue, string description) => new(Name, Type, description)
    {
        Default = defaultValue,
        Allowed = Allowed,
        Minimum = Minimum,
        Maximum = Maximum,
        Keys = Keys,
        OpenKeys = OpenKeys,
        NotUsed = NotUsed,
        IgnoredWarning = IgnoredWarning,
    };

    /// <summary>What is allowed, in words: <c>integer 1..1024 or auto</c>, <c>one of: yes, no, auto</c>, <c>size 64kb..256mb</c>.</summary>
    /// <returns>One phrase.</returns>
    public string DescribeAllowed()
    {
        string words = Allowed.Count == 0 ? string.Empty : $" or {string.Join(", ", Allowed)}";
        return Type switch
        {
            ConfigValueType.Boolean => "boolean",
            ConfigValueType.Integer => $"integer{Range(v => v.ToString(CultureInfo.InvariantCulture))}{words}",
            ConfigValueType.Size => $"size{Range(FormatSize)}{words}",
            ConfigValueType.Number => $"number{Range(v => v.ToString(CultureInfo.InvariantCulture))}",
            ConfigValueType.Choice => $"one of: {string.Join(", ", Allowed)}",
            ConfigValueType.List => "list",
            ConfigValueType.Mapping => "mapping",
            ConfigValueType.InterfaceList => "list of '- interface: <name>' entries",
            ConfigValueType.NamedList => $"list of one-key items: {string.Join(", ", Keys.Where(k => !k.NotUsed).Select(k => k.Name))}",
            _ => "text",
        };
    }

    /// <summary>A size as YAML would say it: <c>64kb</c>, <c>256mb</c>, <c>1gb</c> when whole, else bytes.</summary>
    /// <param name="bytes">The size.</param>
    /// <returns>The text.</returns>
    public static string FormatSize(long bytes)
    {
        foreach ((string suffix, int shift) in new[] { ("gb", 30), ("mb", 20), ("kb", 10) })
        {
            if (bytes != 0 && bytes % (1L << shift) == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes >> shift}{suffix}");
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({DescribeAllowed()})";

    // A bound at the largest value of the type the reader stores is no bound worth writing.
    private string Range(Func<long, string> format) => (Minimum, Maximum is int.MaxValue or long.MaxValue ? null : Maximum) switch
    {
        (null, null) => string.Empty,
        ({ } min, null) => $" >= {format(min)}",
        (null, { } max) => $" <= {format(max)}",
        ({ } min, { } max) => $" {format(min)}..{format(max)}",
    };
}
