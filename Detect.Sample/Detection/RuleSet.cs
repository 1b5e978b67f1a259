namespace Detect.Sample.Detection;

/// <summary>The loaded rules and what failed to load.</summary>
internal sealed class RuleSet
{
    public RuleSet(IReadOnlyList<Rule> rules, IReadOnlyList<RuleLoadError> errors, IReadOnlyList<string> files)
    {
        Rules = rules;
        Errors = errors;
        Files = files;
        var bits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Rule rule in rules)
        {
            HasPassRules |= rule.Action == RuleAction.Pass;
            foreach (FlowbitCommand command in rule.Flowbits)
            {
                for (int i = 0; i < command.Names.Count; i++)
                {
                    if (!bits.TryGetValue(command.Names[i], out int bit))
                    {
                        bit = bits.Count;
                        bits.Add(command.Names[i], bit);
                    }

                    command.Bits[i] = bit;
                }
            }
        }

        FlowbitCount = bits.Count;
    }

    public static RuleSet Empty { get; } = new([], [], []);

    public IReadOnlyList<Rule> Rules { get; }

    public IReadOnlyList<RuleLoadError> Errors { get; }

    public IReadOnlyList<string> Files { get; }

    public bool HasPassRules { get; }

    /// <summary>How many distinct flowbit names the rules use.</summary>
    public int FlowbitCount { get; }
}
