using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Capture.Verify.Tests;

/// <summary>Reads a test.yaml into a <see cref="VerifyTest"/>, its scalars resolved as PyYAML (YAML 1.1) does.</summary>
internal static partial class VerifyTestFile
{
    public static VerifyTest Read(string name, string tier, string directory, string pcap)
    {
        string path = Path.Combine(directory, "test.yaml");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var root = ToValue(stream.Documents[0].RootNode) as Dictionary<string, object?> ?? throw new InvalidDataException($"{path}: not a mapping");
        var arguments = root.GetValueOrDefault("args") switch
        {
            // run.py splits every item at whitespace ("-k none" is two arguments).
            List<object?> list => list.SelectMany(a => EveMatch.Str(a).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList(),
            string line => [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            _ => new List<string>(),
        };
        arguments = [.. arguments.Select(a => a.Replace("${TEST_DIR}", directory, StringComparison.Ordinal))];

        string? testNotApplicable = VerifyCheck.Requires(root.GetValueOrDefault("requires") as Dictionary<string, object?>);
        var checks = new List<VerifyCheck>();
        int index = 0;
        foreach (object? item in root.GetValueOrDefault("checks") as List<object?> ?? [])
        {
            index++;
            string id = $"{name}#{index}";
            if (item is not Dictionary<string, object?> { Count: 1 } check)
            {
                throw new InvalidDataException($"{path}: check {index} is not a single-key mapping");
            }

            (string kind, object? body) = check.First();
            var fields = body as Dictionary<string, object?> ?? [];
            switch (kind)
            {
                case "filter":
                    string? notApplicable = testNotApplicable ?? VerifyCheck.Requires(fields.GetValueOrDefault("requires") as Dictionary<string, object?>);
                    long count = fields.GetValueOrDefault("count") is long c ? c : throw new InvalidDataException($"{path}: filter {index} has no count");
                    checks.Add(VerifyCheck.Filter(id, count, fields.GetValueOrDefault("match") as Dictionary<string, object?> ?? [], notApplicable));
                    break;
                case "stats":
                    foreach ((string counter, object? expected) in fields)
                    {
                        checks.Add(VerifyCheck.Counter($"{id}:{counter}", counter, expected, testNotApplicable));
                    }

                    break;
                default:
                    checks.Add(VerifyCheck.Other(id, kind));
                    break;
            }
        }

        return new VerifyTest(name, tier, directory, pcap, arguments, checks);
    }

    /// <summary>A YAML node in the matching model; plain scalars resolve as YAML 1.1 (yes/no are booleans).</summary>
    private static object? ToValue(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[((YamlScalarNode)p.Key).Value!] = ToValue(p.Value); return d; }),
        YamlSequenceNode seq => seq.Children.Select(ToValue).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Resolve(scalar.Value ?? string.Empty),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    private static object? Resolve(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON")
        {
            return true;
        }

        if (text is "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF")
        {
            return false;
        }

        if (IntegerText().IsMatch(text))
        {
            return long.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        if (FloatText().IsMatch(text))
        {
            return double.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return text;
    }

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*)$", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IntegerText();

    [GeneratedRegex(@"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FloatText();
}
