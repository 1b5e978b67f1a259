using System.Globalization;

namespace Capture.Abstractions;

/// <summary>
/// A node of the Suricata-style configuration tree, with the file and line it came from so that
/// every error can say where. Scalars hold text; typed getters parse it the way Suricata does
/// (<c>yes/no/true/false/on/off</c>, sizes with <c>kb/mb/gb</c>).
/// </summary>
public sealed class ConfigNode
{
    // A mapping past this many keys gets an index: a linear search per key made loading a large
    // mapping quadratic in its size.
    private const int IndexedFrom = 8;

    private readonly List<KeyValuePair<string, ConfigNode>>? _entries;
    private readonly List<ConfigNode>? _items;
    private Dictionary<string, int>? _index;

    private ConfigNode(ConfigNodeKind kind, string path, string? value, string? file, int line)
    {
        Kind = kind;
        Path = path;
        Value = value;
        File = file;
        Line = line;
        if (kind == ConfigNodeKind.Mapping)
        {
            _entries = [];
        }
        else if (kind == ConfigNodeKind.Sequence)
        {
            _items = [];
        }
    }

    /// <summary>The node's shape.</summary>
    public ConfigNodeKind Kind { get; }

    /// <summary>Dotted path from the root (<c>af-packet.0.threads</c>); empty for the root.</summary>
    public string Path { get; }

    /// <summary>The text of a scalar (null for a YAML null or a non-scalar).</summary>
    public string? Value { get; private set; }

    /// <summary>The file the node came from; <c>--set</c> for command-line overrides.</summary>
    public string? File { get; private set; }

    /// <summary>1-based line in <see cref="File"/>; 0 when unknown.</summary>
    public int Line { get; private set; }

    /// <summary>A mapping's entries, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries => _entries ?? (IReadOnlyList<KeyValuePair<string, ConfigNode>>)[];

    /// <summary>A sequence's items.</summary>
    public IReadOnlyList<ConfigNode> Items => _items ?? (IReadOnlyList<ConfigNode>)[];

    /// <summary>"file:line" for messages.</summary>
    public string Location => $"{File ?? "<configuration>"}:{Line}";

    /// <summary>A child of a mapping, or null.</summary>
    /// <param name="key">The key.</param>
    public ConfigNode? this[string key] => TryGet(key, out ConfigNode? node) ? node : null;

    /// <summary>Makes an empty mapping (the root of an empty configuration, for instance).</summary>
    /// <param name="path">Dotted path.</param>
    /// <param name="file">Source file.</param>
    /// <param name="line">Source line.</param>
    /// <returns>The node.</returns>
    public static ConfigNode CreateMapping(string path = "", string? file = null, int line = 0) => new(ConfigNodeKind.Mapping, path, null, file, line);

    /// <summary>Makes an empty sequence.</summary>
    /// <param name="path">Dotted path.</param>
    /// <param name="file">Source file.</param>
    /// <param name="line">Source line.</param>
    /// <returns>The node.</returns>
    public static ConfigNode CreateSequence(string path, string? file = null, int line = 0) => new(ConfigNodeKind.Sequence, path, null, file, line);

    /// <summary>Makes a scalar.</summary>
    /// <param name="path">Dotted path.</param>
    /// <param name="value">The text.</param>
    /// <param name="file">Source file.</param>
    /// <param name="line">Source line.</param>
    /// <returns>The node.</returns>
    public static ConfigNode CreateScalar(string path, string? value, string? file = null, int line = 0) => new(ConfigNodeKind.Scalar, path, value, file, line);

    /// <summary>Looks up a child of a mapping.</summary>
    /// <param name="key">The key.</param>
    /// <param name="node">The child.</param>
    /// <returns>True when present.</returns>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConfigNode? node)
    {
        int position = IndexOf(key);
        node = position >= 0 ? _entries![position].Value : null;
        return node is not null;
    }

    /// <summary>Follows a dotted path (<c>flow.hash-size</c>; sequence items by index).</summary>
    /// <param name="dottedPath">The path relative to this node.</param>
    /// <returns>The node, or null.</returns>
    public ConfigNode? Find(string dottedPath)
    {
        ArgumentNullException.ThrowIfNull(dottedPath);
        ConfigNode? current = this;
        foreach (string part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is null)
            {
                return null;
            }

            if (current.Kind == ConfigNodeKind.Sequence)
            {
                current = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < current.Items.Count
                    ? current.Items[index]
                    : null;
            }
            else
            {
                current = current[part];
            }
        }

        return current;
    }

    /// <summary>Adds or replaces a child of a mapping.</summary>
    /// <param name="key">The key.</param>
    /// <param name="node">The child.</param>
    public void Set(string key, ConfigNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        List<KeyValuePair<string, ConfigNode>> entries = _entries ?? throw new InvalidOperationException($"{Path} is not a mapping");
        int position = IndexOf(key);
        if (position >= 0)
        {
            entries[position] = new(key, node);
            return;
        }

        entries.Add(new(key, node));
        if (_index is not null)
        {
            _index.Add(key, entries.Count - 1);
        }
        else if (entries.Count > IndexedFrom)
        {
            _index = new Dictionary<string, int>(entries.Count * 2, StringComparer.Ordinal);
            for (int i = 0; i < entries.Count; i++)
            {
                _index.Add(entries[i].Key, i);
            }
        }
    }

    /// <summary>Appends an item to a sequence.</summary>
    /// <param name="node">The item.</param>
    public void Add(ConfigNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        (_items ?? throw new InvalidOperationException($"{Path} is not a sequence")).Add(node);
    }

    /// <summary>An error about this node, naming its file, line and key.</summary>
    /// <param name="problem">What is wrong and what is allowed.</param>
    /// <returns>The exception to throw.</returns>
    public ConfigurationException Error(string problem) => new(File, Line, Path, problem);

    /// <summary>Reads a scalar child as text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <returns>The text.</returns>
    public string? GetString(string key, string? defaultValue = null)
    {
        if (!TryGet(key, out ConfigNode? node))
        {
            return defaultValue;
        }

        node.EnsureScalar();
        return node.Value ?? defaultValue;
    }

    /// <summary>This scalar's text, trimmed; null when it is empty or blank. Throws for a mapping or a list.</summary>
    /// <returns>The text, or null.</returns>
    public string? AsText()
    {
        EnsureScalar();
        return string.IsNullOrWhiteSpace(Value) ? null : Value.Trim();
    }

    /// <summary>Reads a boolean child: yes/no, true/false, on/off, enable(d)/disable(d), 1/0.</summary>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <returns>The value.</returns>
    public bool GetBoolean(string key, bool defaultValue) => TryGet(key, out ConfigNode? node) ? node.AsBoolean() : defaultValue;

    /// <summary>Reads this scalar as a boolean.</summary>
    /// <returns>The value.</returns>
    public bool AsBoolean()
    {
        EnsureScalar();
        switch (Value?.Trim().ToLowerInvariant())
        {
            case "yes" or "true" or "on" or "1" or "enable" or "enabled":
                return true;
            case "no" or "false" or "off" or "0" or "disable" or "disabled":
                return false;
            default:
                throw Error($"'{Value}' is not allowed; expected yes or no (true/false, on/off)");
        }
    }

    /// <summary>Reads an integer child within a range.</summary>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <returns>The value.</returns>
    public long GetInt64(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue) =>
        TryGet(key, out ConfigNode? node) ? node.AsInt64(min, max) : defaultValue;

    /// <summary>Reads this scalar as an integer within a range.</summary>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <returns>The value.</returns>
    public long AsInt64(long min = long.MinValue, long max = long.MaxValue)
    {
        EnsureScalar();
        if (!long.TryParse(Value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Error($"'{Value}' is not allowed; expected an integer {DescribeRange(min, max)}");
        }

        if (value < min || value > max)
        {
            throw Error($"{value} is out of range; expected an integer {DescribeRange(min, max)}");
        }

        return value;
    }

    /// <summary>Reads a size child: a number of bytes with an optional kb/mb/gb suffix (powers of 1024, as Suricata).</summary>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <returns>Bytes.</returns>
    public long GetSize(string key, long defaultValue, long min = 0, long max = long.MaxValue) =>
        TryGet(key, out ConfigNode? node) ? node.AsSize(min, max) : defaultValue;

    /// <summary>Reads this scalar as a size in bytes.</summary>
    /// <param name="min">Smallest allowed value.</param>
    /// <param name="max">Largest allowed value.</param>
    /// <returns>Bytes.</returns>
    public long AsSize(long min = 0, long max = long.MaxValue)
    {
        EnsureScalar();
        string text = (Value ?? string.Empty).Trim().ToLowerInvariant();
        long multiplier = 1;
        foreach ((string suffix, long factor) in new[] { ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30), ("kb", 1L << 10), ("mb", 1L << 20), ("gb", 1L << 30), ("k", 1L << 10), ("m", 1L << 20), ("g", 1L << 30), ("b", 1L) })
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                multiplier = factor;
                text = text[..^suffix.Length].Trim();
                break;
            }
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            throw Error($"'{Value}' is not allowed; expected a size such as 65536, 64kb, 128mb or 1gb");
        }

        decimal bytes = number * multiplier;
        if (bytes < min || bytes > max)
        {
            throw Error($"{Value} is out of range; expected a size {DescribeRange(min, max)} bytes");
        }

        return (long)bytes;
    }

    /// <summary>Reads an enumerated child: one of <paramref name="allowed"/> (case-insensitive).</summary>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">Value when absent.</param>
    /// <param name="allowed">The allowed spellings.</param>
    /// <returns>The spelling found, lower case, as listed in <paramref name="allowed"/>.</returns>
    public string GetChoice(string key, string defaultValue, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!TryGet(key, out ConfigNode? node))
        {
            return defaultValue;
        }

        node.EnsureScalar();
        foreach (string option in allowed)
        {
            if (string.Equals(option, node.Value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return option;
            }
        }

        throw node.Error($"'{node.Value}' is not allowed; expected one of: {string.Join(", ", allowed)}");
    }

    private int IndexOf(string key)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out int position) ? position : -1;
        }

        if (_entries is not null)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private void EnsureScalar()
    {
        if (Kind != ConfigNodeKind.Scalar)
        {
            throw Error($"expected a single value, found a {(Kind == ConfigNodeKind.Mapping ? "mapping" : "list")}");
        }
    }

    private static string DescribeRange(long min, long max) => (min, max) switch
    {
        (long.MinValue, long.MaxValue) => string.Empty,
        (_, long.MaxValue) => $">= {min}",
        (long.MinValue, _) => $"<= {max}",
        _ => $"{min}..{max}",
    };
}
