namespace Detect.Sample.Detection;

/// <summary>A rule that failed to load: where and why.</summary>
internal sealed record RuleLoadError(string File, int Line, string Problem)
{
    public override string ToString() => $"{File}:{Line}: {Problem}";
}
