namespace Capture.Netronome.Bypass;

/// <summary>What the bypass manager did so far (also published on the <c>Capture.Netronome</c> meter).</summary>
/// <param name="QueueDepth">Inserts waiting now.</param>
/// <param name="Inserted">Flows inserted (both halves).</param>
/// <param name="FailedTableFull">Inserts refused: a map (or the NIC's table) is full.</param>
/// <param name="FailedUnsupported">Inserts refused: the filter cannot match the flow (tunnelled, not TCP/UDP).</param>
/// <param name="FailedError">Inserts refused by the kernel for another reason.</param>
/// <param name="FailedQueueFull">Requests refused because the queue was full.</param>
/// <param name="FailedTimeout">Requests abandoned by a worker before the manager reached them.</param>
/// <param name="Releases">Flows removed.</param>
/// <param name="Polls">Batch reads of the maps.</param>
/// <param name="AverageInsertMilliseconds">Mean time of one insert (both halves) on the manager thread.</param>
/// <param name="MaxInsertMilliseconds">Longest insert.</param>
/// <param name="MaxQueueWaitMilliseconds">Longest wait of an insert in the queue.</param>
internal readonly record struct OffloadManagerStatistics(
    long QueueDepth,
    long Inserted,
    long FailedTableFull,
    long FailedUnsupported,
    long FailedError,
    long FailedQueueFull,
    long FailedTimeout,
    long Releases,
    long Polls,
    double AverageInsertMilliseconds,
    double MaxInsertMilliseconds,
    double MaxQueueWaitMilliseconds);
