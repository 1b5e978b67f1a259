using System.Globalization;
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

    /// <summary>
    /// Reads one line of a categories file into the table (for tests and the loader), as SRepCatSplitLine:
    /// the id and the short name (up to the next comma). Its id is read strictly, where Suricata's
    /// StringParseI32RangeCheck (strtoll, no length given) also takes characters after the number.
    /// </summary>
    internal void AddCategoryLine(string line, string where)
    {
        string[] fields = line.Split(',', 3);
        if (fields.Length < 2 || !TryParseNumber(fields[0], MaxCategories - 1, out byte id) || fields[1].Length == 0)
        {
            BadLines.Add($"{where}: bad line {Quoted(line)}: expected id,shortname,description with an id below {MaxCategories}");
            return;
        }

        _categories[fields[1]] = id;
    }

    /// <summary>
    /// Reads one line of a reputation file (for tests and the loader) as Suricata's SRepSplitLine does:
    /// the first three fields (more are not read); a host's address in the forms <c>inet_pton</c>
    /// takes (<see cref="AddressText"/>, as rule addresses), else the line is bad; a block as its
    /// radix tree takes it, else it is not added.
    /// </summary>
    internal void AddScoreLine(string line, string where)
    {
        string[] fields = line.Split(',', 4);
        if (fields.Length >= 3 && string.Equals(fields[0], "ip", StringComparison.Ordinal))
        {
            return; // a header line
        }

        if (fields.Length < 3 || !TryParseNumber(fields[1], MaxCategories - 1, out byte category) || !TryParseNumber(fields[2], MaxScore, out byte score))
        {
            BadLines.Add($"{where}: bad line {Quoted(line)}: expected address[/bits],category (0..{MaxCategories - 1}),score (0..{MaxScore})");
            return;
        }

        string field = fields[0];
        int slash = field.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            byte[]? host = AddressText.Parse(field);
            if (host is null)
            {
                BadLines.Add($"{where}: bad line {Quoted(line)}: '{field}' is not an IPv4 or IPv6 address");
                return;
            }

            _hosts[(FlowAddress.FromBytes(host), host.Length == 16, category)] = score;
            return;
        }

        // SRepCIDRAddNetblock takes the family from a ':' anywhere in the field; the radix tree refuses
        // an address of the other family or a prefix length out of range, and Suricata goes on without the block.
        bool v6 = field.Contains(':', StringComparison.Ordinal);
        int max = v6 ? 128 : 32;
        byte[]? prefix = AddressText.Parse(field.AsSpan(0, slash));
        if (prefix is null || prefix.Length != (v6 ? 16 : 4) || !TryParseNumber(field.AsSpan(slash + 1), max, out byte bits))
        {
            BadLines.Add($"{where}: failed to add the block '{field}': expected an {(v6 ? "IPv6" : "IPv4")} address, '/' and a prefix length 0..{max}");
            return;
        }

        _blocks.Add((prefix, bits, v6, category, score));
    }

    /// <summary>
    /// A number as Suricata's StringParseU8RangeCheck reads one (strtoull in base 10, nothing after it):
    /// leading white space and a sign are taken, trailing characters are not.
    /// </summary>
    private static bool TryParseNumber(ReadOnlySpan<char> text, int max, out byte value) =>
        byte.TryParse(text, NumberStyles.AllowLeadingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value <= max;

    /// <summary>The line in quotes; a carriage return it ends in (a CRLF file, which Suricata does not read either) is named rather than printed.</summary>
    private static string Quoted(string line) =>
        line.EndsWith('\r') ? $"\"{line[..^1]}\" (it ends in a carriage return: reputation files are read with LF line ends)" : $"\"{line}\"";

    private void ReadCategories(string file)
    {
        string[] lines = ReadLines(file, "reputation categories file");
        for (int i = 0; i < lines.Length; i++)
        {
            if (IsContent(lines[i]))
            {
                AddCategoryLine(lines[i], $"{file}:{i + 1}");
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
                AddScoreLine(lines[i], $"{file}:{i + 1}");
            }
        }
    }

    /// <summary>As Suricata: lines starting with '#', a space, a tab or a carriage return, and empty lines, are skipped.</summary>
    private static bool IsContent(string line) => line.Length > 0 && line[0] is not ('#' or ' ' or '\t' or '\r');

    private static string[] ReadLines(string file, string what)
    {
        try
        {
            // As fgets reads them: a line ends at '\n' only, and nothing else is trimmed from it.
            return File.ReadAllText(file).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the {what} {file}: {e.Message}", e);
        }
    }
}
