namespace Detect.Sample.Detection;

/// <summary>Splitting helpers for rule text that respect brackets, quotes and backslash escapes.</summary>
internal static class RuleText
{
    /// <summary>Splits a comma list at the top bracket level.</summary>
    public static List<string> SplitList(string text)
    {
        var items = new List<string>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    items.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        items.Add(text[start..]);
        return items;
    }

    /// <summary>Splits the option block at ';' outside quotes; a backslash escapes the next character.</summary>
    public static List<string> SplitOptions(string text)
    {
        var options = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(c).Append(text[++i]);
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ';' && !quoted)
            {
                if (current.ToString().Trim().Length > 0)
                {
                    options.Add(current.ToString().Trim());
                }

                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (quoted)
        {
            throw new RuleSyntaxException("unterminated quoted string in the options");
        }

        if (current.ToString().Trim().Length > 0)
        {
            throw new RuleSyntaxException($"option '{current.ToString().Trim()}' is not terminated by ';'");
        }

        return options;
    }
}
