using System.Globalization;
using System.Text.Json;

namespace Capture.Verify.Tests;

/// <summary>
/// suricata-verify's matching, as its run.py does it in Python: values are null, bool, long,
/// double, string, lists and string-keyed dictionaries (YAML and JSON both read into that model);
/// a dotted name walks dictionaries (<c>a.b[0].c</c>), <c>__len</c> is a length (-1 for a
/// number), <c>__contains</c>/<c>__find</c>/<c>__startswith</c>/<c>__endswith</c> and
/// <c>__gt</c>/<c>__lt</c> compare; values equal as Python's <c>==</c> does, or when their
/// <c>str()</c> is the same.
/// </summary>
internal static class EveMatch
{
    private static readonly string[] Operators = ["__contains", "__find", "__startswith", "__endswith", "__gt", "__lt"];

    /// <summary>Reads a JSON value into the model.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[p.Name] = FromJson(p.Value); return d; }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out long l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Whether <paramref name="evt"/> matches every key of <paramref name="match"/> (run.py's FilterCheck.match).</summary>
    public static bool Matches(IReadOnlyDictionary<string, object?> evt, IEnumerable<KeyValuePair<string, object?>> match)
    {
        foreach ((string key, object? expected) in match)
        {
            if (key == "has-key")
            {
                if (Find(Convert.ToString(expected, CultureInfo.InvariantCulture)!, evt) is null)
                {
                    return false;
                }

                continue;
            }

            if (key == "not-has-key")
            {
                if (Find(Convert.ToString(expected, CultureInfo.InvariantCulture)!, evt) is not null)
                {
                    return false;
                }

                continue;
            }

            string? op = Array.Find(Operators, o => key.EndsWith(o, StringComparison.Ordinal));
            object? value = Find(op is "__gt" or "__lt" ? key[..^op.Length].TrimEnd('.') : key, evt);
            bool ok = op switch
            {
                "__contains" => Contains(value, expected),
                "__find" => value is string s && expected is not null && s.Contains(Str(expected), StringComparison.Ordinal),
                "__startswith" => value is string s && expected is not null && s.StartsWith(Str(expected), StringComparison.Ordinal),
                "__endswith" => value is string s && expected is not null && s.EndsWith(Str(expected), StringComparison.Ordinal),
                "__gt" => Number(value) is double a && Number(expected) is double b && a > b,
                "__lt" => Number(value) is double a && Number(expected) is double b && a < b,
                _ => AreEqual(value, expected),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>run.py's find_value: the value at a dotted name, null when absent.</summary>
    public static object? Find(string name, object? obj)
    {
        foreach (string part in name.Split('.'))
        {
            if (part == "__len")
            {
                return obj switch
                {
                    string s => (long)s.Length,
                    List<object?> l => (long)l.Count,
                    Dictionary<string, object?> d => (long)d.Count,
                    _ => -1L,
                };
            }

            if (Array.IndexOf(Operators, part) >= 0)
            {
                break;
            }

            string field = part;
            int? index = null;
            int bracket = part.LastIndexOf('[');
            if (part.EndsWith(']') && bracket > 0 && int.TryParse(part.AsSpan(bracket + 1, part.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            {
                field = part[..bracket];
                index = i;
            }

            if (obj is not Dictionary<string, object?> dict || !dict.TryGetValue(field, out obj))
            {
                return null;
            }

            if (index is int at)
            {
                if (obj is not List<object?> list || at >= list.Count)
                {
                    return null;
                }

                obj = list[at];
            }
        }

        return obj;
    }

    /// <summary>Python's <c>val == expected</c>, else equal <c>str()</c>.</summary>
    public static bool AreEqual(object? actual, object? expected) => PythonEquals(actual, expected) || (actual is not List<object?> and not Dictionary<string, object?> && Str(actual) == Str(expected));

    /// <summary>Python's <c>str()</c> of a scalar.</summary>
    public static string Str(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
        string s => s,
        List<object?> l => $"[{string.Join(", ", l.Select(Repr))}]",
        Dictionary<string, object?> d => $"{{{string.Join(", ", d.Select(p => $"'{p.Key}': {Repr(p.Value)}"))}}}",
        _ => value.ToString() ?? string.Empty,
    };

    private static string Repr(object? value) => value is string s ? $"'{s}'" : Str(value);

    private static bool PythonEquals(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (Number(a) is double x && Number(b) is double y && a is not string && b is not string)
        {
            return x == y;
        }

        return (a, b) switch
        {
            (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
            (List<object?> l, List<object?> m) => l.Count == m.Count && l.Zip(m).All(p => PythonEquals(p.First, p.Second)),
            (Dictionary<string, object?> d, Dictionary<string, object?> e) => d.Count == e.Count && d.All(p => e.TryGetValue(p.Key, out object? v) && PythonEquals(p.Value, v)),
            _ => false,
        };
    }

    /// <summary>A number as Python compares it (a bool is 0 or 1); null for anything else.</summary>
    private static double? Number(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        double d => d,
        _ => null,
    };

    private static bool Contains(object? container, object? expected)
    {
        if (expected is List<object?> all)
        {
            return all.TrueForAll(e => Contains(container, e));
        }

        return container switch
        {
            string s => expected is string t && s.Contains(t, StringComparison.Ordinal),
            List<object?> l => l.Exists(item => PythonEquals(item, expected)),
            Dictionary<string, object?> d => expected is string k && d.ContainsKey(k),
            _ => false,
        };
    }
}
