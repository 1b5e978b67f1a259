namespace Capture.Netronome.Bypass;

/// <summary>How the bypass manager thread paces its work.</summary>
internal sealed record OffloadManagerOptions
{
    /// <summary>Inserts waiting for the manager at most; more fail at once (counted as queue-full).</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>How long a worker's <c>TryBypass</c> waits for an insert the manager has not started yet.</summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Time between batch reads of the shared maps (liveness checks also ask for one on demand).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The oldest map read a liveness check accepts (counted from the check), at least twice the
    /// last poll's duration so large maps are not walked once per check. Within one window, the
    /// flow manager's checks share one poll.
    /// </summary>
    public TimeSpan MaxReadAge { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a liveness check waits for the poll it asked for before answering from the last one.</summary>
    public TimeSpan PollWaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Inserts handled between two looks at the control queue (releases) and the poll clock.</summary>
    public int InsertBatch { get; init; } = 64;

    /// <summary>Orphan sweep of the maps every this many polls.</summary>
    public int SweepEveryPolls { get; init; } = 30;
}
