namespace Detect.Sample.Detection;

/// <summary>
/// The grammar rule address and port fields share: <c>any</c>, negation with <c>!</c>, bracketed
/// lists and <c>$VARIABLES</c>, nested. It reduces a field to plain terms (an address or CIDR
/// block, a port or range), each with whether it is negated; the set types parse the terms.
/// </summary>
internal static class RuleGroupExpression
{
    private const int MaxDepth = 16;

    /// <summary>Calls <paramref name="addTerm"/> for every plain term of <paramref name="text"/>.</summary>
    /// <param name="text">The field.</param>
    /// <param name="variables">Variable values by name (without <c>$</c>).</param>
    /// <param name="kind">"address" or "port", for messages.</param>
    /// <param name="variablesSection">Where the variables are defined, for messages.</param>
    /// <param name="addTerm">Receives each term and whether it is negated.</param>
    public static void Expand(string text, IReadOnlyDictionary<string, string> variables, string kind, string variablesSection, Action<string, bool> addTerm) =>
        Expand(text, negated: false, variables, kind, variablesSection, addTerm, depth: 0);

    private static void Expand(string text, bool negated, IReadOnlyDictionary<string, string> variables, string kind, string variablesSection, Action<string, bool> addTerm, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new RuleSyntaxException($"{kind} variables nest too deep near '{text}'");
        }

        text = text.Trim();
        if (text.Length == 0)
        {
            throw new RuleSyntaxException($"empty {kind}");
        }

        if (text[0] == '!')
        {
            Expand(text[1..], !negated, variables, kind, variablesSection, addTerm, depth + 1);
            return;
        }

        if (text[0] == '[')
        {
            if (text[^1] != ']')
            {
                throw new RuleSyntaxException($"{kind} list '{text}' has no closing ']'");
            }

            foreach (string item in RuleText.SplitList(text[1..^1]))
            {
                Expand(item, negated, variables, kind, variablesSection, addTerm, depth + 1);
            }

            return;
        }

        if (text[0] == '$')
        {
            string name = text[1..];
            if (!variables.TryGetValue(name, out string? value))
            {
                throw new RuleSyntaxException($"{kind} variable ${name} is not defined ({variablesSection})");
            }

            Expand(value, negated, variables, kind, variablesSection, addTerm, depth + 1);
            return;
        }

        if (text.Equals("any", StringComparison.OrdinalIgnoreCase))
        {
            if (negated)
            {
                throw new RuleSyntaxException($"'!any' matches no {kind}");
            }

            return;
        }

        addTerm(text, negated);
    }
}
