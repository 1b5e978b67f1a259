namespace Capture.Linux.Xdp;

/// <summary>What one walk of the bypass maps found.</summary>
/// <param name="EntriesVisited">Half-flow entries read (both families).</param>
/// <param name="Orphans">Entries without an owning flow (candidates for expiry).</param>
/// <param name="Expired">Orphans deleted because their counters stopped moving since the previous walk.</param>
/// <param name="Completed">False when the walk was stopped before the end.</param>
public readonly record struct SweepResult(long EntriesVisited, long Orphans, long Expired, bool Completed);
