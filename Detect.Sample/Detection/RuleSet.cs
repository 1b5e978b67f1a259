namespace Detect.Sample.Detection;

/// <summary>The loaded rules and what failed to load.</summary>
internal sealed class RuleSet
{
    public RuleSet(IReadOnlyList<Rule> rules, IReadOnlyList<RuleLoadError> errors, IReadOnlyList<string> files)
    {
        Rules = rules;
        Errors = errors;
        Files = files;
        foreach (Rule rule in rules)
        {
            HasPassRules |= rule.Action == RuleAction.Pass;
        }
    }

    public static RuleSet Empty { get; } = new([], [], []);

    public IReadOnlyList<Rule> Rules { get; }

    public IReadOnlyList<RuleLoadError> Errors { get; }

    public IReadOnlyList<string> Files { get; }

    public bool HasPassRules { get; }
}
