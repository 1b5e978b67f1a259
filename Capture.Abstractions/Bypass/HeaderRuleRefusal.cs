namespace Capture.Abstractions;

/// <summary>A header-only bypass rule a capture did not take below user space, and why (for the start-up log).</summary>
/// <param name="Sid">The rule's sid.</param>
/// <param name="Reason">Why, in a few words.</param>
public readonly record struct HeaderRuleRefusal(long Sid, string Reason);
