namespace Capture.Abstractions;

/// <summary>Bypass inserts of one address family, as <c>iface-bypassed-stat</c> reports them.</summary>
/// <param name="Success">Flows offloaded (cumulative; one per flow, both directions).</param>
/// <param name="Failure">Offloads that failed (cumulative).</param>
/// <param name="EntriesOffloaded">Flows currently offloaded (a gauge).</param>
public readonly record struct BypassFamilyStatistics(long Success, long Failure, long EntriesOffloaded);
