using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Abstractions;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// Suricata's IP reputation: named categories (<c>reputation-categories-file</c>: <c>id,shortname,description</c>,
/// ids 1..59) and scores per host or CIDR block (<c>reputation-files</c>: <c>address[/bits],category,score</c>,
/// scores 0..127). A host's own entry wins over the blocks; of the blocks, the longest prefix.
/// Read-only once loaded, so the workers share it.
/// </summary>
internal sealed class IpReputation
{
    /// <summary>Suricata's SREP_MAX_CATS: category ids are below it.</summary>
    public const int MaxCategories = 60;

    /// <summary>Suricata's SREP_MAX_VAL.</summary>
    public const int MaxScore = 127;

    private readonly Dictionary<string, byte> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<(FlowAddress Address, bool IsIPv6, byte Category), byte> _hosts = [];
    private readonly List<(byte[] Prefix, int Bits, bool IsIPv6, byte Category, byte Score)> _blocks = [];

    /// <summary>Lines that could not be read, as <c>file:line: problem</c> (Suricata logs them and goes on).</summary>
    public List<string> BadLines { get; } = [];

    /// <summary>Reputation files that could not be read, with why (Suricata goes on without them unless init errors are fatal).</summary>
    public List<string> UnreadableFiles { get; } = [];

    /// <summary>The category's id by its short name; false when the categories file does not name it.</summary>
    public bool TryGetCategory(string shortName, out byte id) => _categories.TryGetValue(shortName, out id);

    /// <summary>The address's score in <paramref name="category"/>; 0 when it has none.</summary>
    public byte Score(in FlowAddress address, bool isIPv6, byte category)
    {
        if (_hosts.TryGetValue((address, isIPv6, category), out byte score))
        {
            return score;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.CopyTo(bytes);
        ReadOnlySpan<byte> value = bytes[..(isIPv6 ? 16 : 4)];
        int best = -1;
        byte found = 0;
        foreach ((byte[] prefix, int bits, bool v6, byte cat, byte blockScore) in _blocks)
        {
            if (v6 == isIPv6 && cat == category && bits > best && AddressSet.InPrefix(value, prefix, bits))
            {
                best = bits;
                found = blockScore;
            }
        }

        return found;
    }

    /// <summary>
    /// Loads the categories and the reputation files. A relative reputation file is looked up in
    /// <paramref name="defaultPath"/> (<c>default-reputation-path</c>) when given.
    /// </summary>
    /// <exception cref="IOException">The categories file cannot be read; the message names it.</exception>
    public static IpReputation Load(string categoriesFile, IReadOnlyList<string> files, string? defaultPath)
    {
        var reputation = new IpReputation();
        reputation.ReadCategories(categoriesFile);
        foreach (string file in files)
        {
            reputation.ReadScores(Path.IsPathRooted(file) || defaultPath is null ? file : Path.Combine(defaultPath, file));
        }

        return reputation;
    }

    /// <summary>Reads one line of a categories file into the table (for tests and the loader).</summary>
    internal void AddCategoryLine(string line, string where)
    {
        string[] fields = line.Split(',', 3);
        if (fields.Length < 2 || !byte.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out byte id) || id >= MaxCategories || fields[1].Length == 0)
        {
            BadLines.Add($"{where}: bad line \"{line}\": expected id,shortname,description with an id below {MaxCategories}");
            return;
        }

        _categories[fields[1]] = id;
    }

    /// <summary>Reads one line of a reputation file (for tests and the loader).</summary>
    internal void AddScoreLine(string line, string where)
    {
        string[] fields = line.Split(',');
        if (fields.Length >= 3 && string.Equals(fields[0], "ip", StringComparison.Ordinal))
        {
            return; // a header line
        }

        if (fields.Length != 3
            || !byte.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out byte category) || category >= MaxCategories
            || !byte.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out byte score) || score > MaxScore)
        {
            BadLines.Add($"{where}: bad line \"{line}\": expected address[/bits],category (0..{MaxCategories - 1}),score (0..{MaxScore})");
            return;
        }

        int slash = fields[0].IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? fields[0] : fields[0][..slash], out IPAddress? address))
        {
            BadLines.Add($"{where}: bad line \"{line}\": '{fields[0]}' is not an address");
            return;
        }

        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        byte[] bytes = address.GetAddressBytes();
        if (slash < 0)
        {
            _hosts[(FlowAddress.FromBytes(bytes), v6, category)] = score;
            return;
        }

        int max = v6 ? 128 : 32;
        if (!int.TryParse(fields[0].AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) || bits > max)
        {
            BadLines.Add($"{where}: bad line \"{line}\": prefix length must be 0..{max}");
            return;
        }

        _blocks.Add((bytes, bits, v6, category, score));
    }

    private void ReadCategories(string file)
    {
        string[] lines = ReadLines(file, "reputation categories file");
        for (int i = 0; i < lines.Length; i++)
        {
            if (IsContent(lines[i]))
            {
                AddCategoryLine(lines[i].TrimEnd(), $"{file}:{i + 1}");
            }
        }
    }

    private void ReadScores(string file)
    {
        string[] lines;
        try
        {
            lines = ReadLines(file, "reputation file");
        }
        catch (IOException e)
        {
            UnreadableFiles.Add(e.Message);
            return;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            if (IsContent(lines[i]))
            {
                AddScoreLine(lines[i].TrimEnd(), $"{file}:{i + 1}");
            }
        }
    }

    /// <summary>As Suricata: lines starting with '#', a space or a tab, and empty lines, are skipped.</summary>
    private static bool IsContent(string line) => line.Length > 0 && line[0] is not ('#' or ' ' or '\t');

    private static string[] ReadLines(string file, string what)
    {
        try
        {
            return File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the {what} {file}: {e.Message}", e);
        }
    }
}
