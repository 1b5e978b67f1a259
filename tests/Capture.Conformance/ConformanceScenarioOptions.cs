namespace Capture.Conformance;

/// <summary>What a conformance test needs from the scenario a plugin's subclass builds.</summary>
public sealed class ConformanceScenarioOptions
{
    /// <summary>
    /// Frames are sent in several <see cref="ConformanceScenario.SendAsync"/> calls, and the frames of
    /// a call must not reach the source before that call is made (the bypass tests bypass a flow
    /// between two sends). A plugin whose input is a file makes it a stream (a FIFO) for this.
    /// </summary>
    public bool Stepwise { get; init; }

    /// <summary>
    /// Half-flow entries per address family the source's bypass table should hold (a flow takes two),
    /// or null for the plugin's default. A scenario that applies it says so in
    /// <see cref="ConformanceScenario.AppliesBypassTableEntries"/>.
    /// </summary>
    public int? BypassTableEntries { get; init; }
}
