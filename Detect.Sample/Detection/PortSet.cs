using System.Globalization;

namespace Detect.Sample.Detection;

/// <summary>A rule's port field: <c>any</c>, a port, a range <c>a:b</c> (open ends allowed), lists, negation, <c>$VARIABLES</c>.</summary>
internal sealed class PortSet
{
    private readonly List<(int Low, int High)> _include = [];
    private readonly List<(int Low, int High)> _exclude = [];

    private PortSet()
    {
    }

    public bool IsAny => _include.Count == 0 && _exclude.Count == 0;

    /// <summary>Whether the set has negated entries (<c>!</c>).</summary>
    public bool HasExclusions => _exclude.Count > 0;

    /// <summary>The positive ranges, inclusive.</summary>
    public IEnumerable<(int Low, int High)> Included => _include;

    public static PortSet Parse(string text, IReadOnlyDictionary<string, string> variables)
    {
        var set = new PortSet();
        RuleGroupExpression.Expand(text, variables, "port", "vars.port-groups", set.AddTerm);
        return set;
    }

    /// <summary>Marks the ports where this set's answer may change: each range's first port and the one after its last.</summary>
    /// <param name="boundaries">One flag per port and one past the last (65,537).</param>
    public void MarkBoundaries(bool[] boundaries)
    {
        foreach ((int low, int high) in _include)
        {
            boundaries[low] = true;
            boundaries[high + 1] = true;
        }

        foreach ((int low, int high) in _exclude)
        {
            boundaries[low] = true;
            boundaries[high + 1] = true;
        }
    }

    public bool Matches(ushort port)
    {
        foreach ((int low, int high) in _exclude)
        {
            if (port >= low && port <= high)
            {
                return false;
            }
        }

        if (_include.Count == 0)
        {
            return true;
        }

        foreach ((int low, int high) in _include)
        {
            if (port >= low && port <= high)
            {
                return true;
            }
        }

        return false;
    }

    private void AddTerm(string text, bool negated)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        int low;
        int high;
        if (colon < 0)
        {
            low = high = ParsePort(text, text);
        }
        else
        {
            low = colon == 0 ? 0 : ParsePort(text[..colon], text);
            high = colon == text.Length - 1 ? 65535 : ParsePort(text[(colon + 1)..], text);
            if (low > high)
            {
                throw new RuleSyntaxException($"port range '{text}' is empty (low > high)");
            }
        }

        (negated ? _exclude : _include).Add((low, high));
    }

    private static int ParsePort(string text, string whole)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new RuleSyntaxException($"'{whole}' is not a port (0..65535), range, list or variable");
        }

        return port;
    }
}
