using Capture.Abstractions;

namespace Detect.Sample.Detection;

/// <summary>
/// A rule's address field: <c>any</c>, addresses, CIDR blocks, lists in brackets, negation with
/// <c>!</c> and <c>$VARIABLES</c>. Matches when the address is in some positive entry (or there
/// are none) and in no negative entry.
/// </summary>
internal sealed class AddressSet
{
    private readonly List<(byte[] Prefix, int Bits, bool IsIPv6)> _include = [];
    private readonly List<(byte[] Prefix, int Bits, bool IsIPv6)> _exclude = [];

    private AddressSet()
    {
    }

    public static AddressSet Any { get; } = new();

    public bool IsAny => _include.Count == 0 && _exclude.Count == 0;

    /// <summary>Whether the set has negated entries (<c>!</c>).</summary>
    public bool HasExclusions => _exclude.Count > 0;

    /// <summary>The positive entries: address bytes, prefix length, IPv6.</summary>
    public IEnumerable<(byte[] Prefix, int Bits, bool IsIPv6)> Included => _include;

    public static AddressSet Parse(string text, IReadOnlyDictionary<string, string> variables)
    {
        var set = new AddressSet();
        RuleGroupExpression.Expand(text, variables, "address", "vars.address-groups", set.AddTerm);
        return set;
    }

    public bool Matches(in FlowAddress address, bool isIPv6)
    {
        if (IsAny)
        {
            return true;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.CopyTo(bytes);
        ReadOnlySpan<byte> value = isIPv6 ? bytes : bytes[..4];
        foreach ((byte[] prefix, int bits, bool v6) in _exclude)
        {
            if (v6 == isIPv6 && InPrefix(value, prefix, bits))
            {
                return false;
            }
        }

        if (_include.Count == 0)
        {
            return true;
        }

        foreach ((byte[] prefix, int bits, bool v6) in _include)
        {
            if (v6 == isIPv6 && InPrefix(value, prefix, bits))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool InPrefix(ReadOnlySpan<byte> value, byte[] prefix, int bits)
    {
        int whole = bits / 8;
        if (!value[..whole].SequenceEqual(prefix.AsSpan(0, whole)))
        {
            return false;
        }

        int rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (value[whole] & mask) == (prefix[whole] & mask);
    }

    private void AddTerm(string text, bool negated)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        byte[]? address = AddressText.Parse(slash < 0 ? text : text.AsSpan(0, slash));
        if (address is null)
        {
            throw new RuleSyntaxException($"'{text}' is not an address, CIDR block, list or variable");
        }

        bool v6 = address.Length == 16;
        int maxBits = v6 ? 128 : 32;
        int bits = maxBits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) || bits < 0 || bits > maxBits))
        {
            throw new RuleSyntaxException($"'{text}': prefix length must be 0..{maxBits}");
        }

        (negated ? _exclude : _include).Add((address, bits, v6));
    }
}
