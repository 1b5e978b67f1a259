using System.Globalization;

namespace Detect.Sample.Detection;

/// <summary>
/// A numeric test of Suricata's keywords (<c>dsize</c>, <c>ttl</c>, <c>ip_proto</c>, <c>itype</c>,
/// <c>icode</c>): <c>N</c>, <c>!N</c>, <c>&lt;N</c>, <c>&gt;N</c>, <c>&lt;=N</c>, <c>&gt;=N</c>, and
/// the exclusive ranges <c>N&lt;&gt;M</c> and <c>N-M</c>.
/// </summary>
internal readonly record struct RuleNumber(RuleNumber.Test Kind, long Low, long High)
{
    internal enum Test
    {
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
        Between,
    }

    public bool Matches(long value) => Kind switch
    {
        Test.Equal => value == Low,
        Test.NotEqual => value != Low,
        Test.Less => value < Low,
        Test.LessOrEqual => value <= Low,
        Test.Greater => value > Low,
        Test.GreaterOrEqual => value >= Low,
        _ => value > Low && value < High,
    };

    /// <summary>Parses the value; <paramref name="named"/> turns a name into a number (ip_proto's protocol names), if given.</summary>
    /// <exception cref="RuleSyntaxException">Not one of the forms, or out of 0..<paramref name="max"/>.</exception>
    public static RuleNumber Parse(string keyword, string text, long max, Func<string, long?>? named = null)
    {
        string value = text.Trim();
        long Number(string part)
        {
            part = part.Trim();
            if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= max)
            {
                return n;
            }

            return named?.Invoke(part) ?? throw new RuleSyntaxException($"{keyword}: '{text}' is not allowed; expected a number 0..{max}, !N, <N, >N, <=N, >=N or N<>M");
        }

        int range = value.IndexOf("<>", StringComparison.Ordinal);
        if (range > 0)
        {
            return Range(keyword, text, Number(value[..range]), Number(value[(range + 2)..]));
        }

        int dash = value.IndexOf('-', 1);
        if (dash > 0 && value[0] is not ('<' or '>' or '!'))
        {
            return Range(keyword, text, Number(value[..dash]), Number(value[(dash + 1)..]));
        }

        return value switch
        {
            ['<', '=', ..] => new(Test.LessOrEqual, Number(value[2..]), 0),
            ['>', '=', ..] => new(Test.GreaterOrEqual, Number(value[2..]), 0),
            ['<', ..] => new(Test.Less, Number(value[1..]), 0),
            ['>', ..] => new(Test.Greater, Number(value[1..]), 0),
            ['!', ..] => new(Test.NotEqual, Number(value[1..]), 0),
            _ => new(Test.Equal, Number(value), 0),
        };
    }

    private static RuleNumber Range(string keyword, string text, long low, long high) =>
        low < high ? new(Test.Between, low, high) : throw new RuleSyntaxException($"{keyword}: '{text}': the range's first number must be below its second");
}
