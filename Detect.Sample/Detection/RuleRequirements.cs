using System.Globalization;

namespace Detect.Sample.Detection;

/// <summary>
/// Suricata's <c>requires</c> keyword: <c>requires: feature NAME, version &gt;= 7.0.3 &lt; 8 | &gt;= 8.0.1</c>.
/// A rule whose requirements this host does not meet is skipped, not an error, as Suricata skips it.
/// Versions compare with <see cref="EmulatedVersion"/>; this host names no features.
/// </summary>
internal static class RuleRequirements
{
    /// <summary>The Suricata version whose rule language and defaults this host follows (its suricata.yaml.in is master's, 9.0.0-dev).</summary>
    public static readonly Version EmulatedVersion = new(9, 0, 0);

    /// <summary>Why the requirements in <paramref name="value"/> are not met, or null when they are.</summary>
    /// <exception cref="RuleSyntaxException">The requirements cannot be parsed.</exception>
    public static string? Unmet(string value)
    {
        foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length != 2)
            {
                throw new RuleSyntaxException($"requires: '{part}' is not 'feature NAME' or 'version EXPRESSION'");
            }

            switch (words[0])
            {
                case "feature":
                    return $"requires feature '{words[1]}', which this host does not have";
                case "version":
                    if (!VersionMatches(words[1]))
                    {
                        return $"requires version {words[1]}; this host follows Suricata {EmulatedVersion}";
                    }

                    break;
                default:
                    throw new RuleSyntaxException($"requires: '{words[0]}' is not a requirement; expected feature or version");
            }
        }

        return null;
    }

    /// <summary>Alternatives separated by '|', each a list of comparisons that must all hold.</summary>
    private static bool VersionMatches(string expression)
    {
        foreach (string alternative in expression.Split('|', StringSplitOptions.TrimEntries))
        {
            string[] tokens = alternative.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0 || tokens.Length % 2 != 0)
            {
                throw new RuleSyntaxException($"requires: version '{alternative}' is not a list of 'operator version' pairs");
            }

            bool all = true;
            for (int i = 0; i < tokens.Length; i += 2)
            {
                int compared = EmulatedVersion.CompareTo(ParseVersion(tokens[i + 1]));
                all &= tokens[i] switch
                {
                    ">=" => compared >= 0,
                    ">" => compared > 0,
                    "<=" => compared <= 0,
                    "<" => compared < 0,
                    "=" or "==" => compared == 0,
                    _ => throw new RuleSyntaxException($"requires: '{tokens[i]}' is not a version operator; expected >=, >, <=, < or ="),
                };
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    private static Version ParseVersion(string text)
    {
        string[] parts = text.Split('.');
        if (parts.Length > 3)
        {
            throw new RuleSyntaxException($"requires: '{text}' is not a version");
        }

        int[] numbers = [0, 0, 0];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                throw new RuleSyntaxException($"requires: '{text}' is not a version");
            }
        }

        return new Version(numbers[0], numbers[1], numbers[2]);
    }
}
