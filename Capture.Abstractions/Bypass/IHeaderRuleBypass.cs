namespace Capture.Abstractions;

/// <summary>
/// A bypass strategy that can also bypass flows by itself, below user space, when a packet matches
/// a header-only bypass rule (for example an XDP filter that makes the flow's entries at the
/// flow's first matching packet). It still delivers that packet; the engine's later
/// <see cref="IBypassStrategy.TryBypass"/> for the flow takes over what the capture made, with
/// the counts it has kept.
/// </summary>
public interface IHeaderRuleBypass
{
    /// <summary>
    /// Replaces the rules in force (none: an empty list). Flows already bypassed stay bypassed.
    /// </summary>
    /// <param name="rules">The rules.</param>
    /// <returns>The rules not taken, each with why; empty when all were.</returns>
    IReadOnlyList<HeaderRuleRefusal> LoadHeaderRules(IReadOnlyList<HeaderBypassRule> rules);
}
