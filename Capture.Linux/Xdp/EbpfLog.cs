using Microsoft.Extensions.Logging;

namespace Capture.Linux.Xdp;

/// <summary>Source-generated log messages of Capture.Linux.Xdp.</summary>
internal static partial class EbpfLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Text}")]
    internal static partial void LibbpfWarning(ILogger logger, string text);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Text}")]
    internal static partial void LibbpfInfo(ILogger logger, string text);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Text}")]
    internal static partial void LibbpfDebug(ILogger logger, string text);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Interface}: XDP bypass filter {File} attached in {Mode} mode (program id {ProgramId}, {MapKind} maps of {Capacity} entries)")]
    internal static partial void Attached(ILogger logger, string @interface, string file, string mode, uint programId, string mapKind, int capacity);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Interface}: XDP bypass filter detached")]
    internal static partial void Detached(ILogger logger, string @interface);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Interface}: XDP program id {ProgramId} is still attached 2 s after its link was closed (something else still holds the link, such as a child process that has not exec'd yet); bypassed flows stay dropped until it goes")]
    internal static partial void DetachPending(ILogger logger, string @interface, uint programId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{Interface}: replacing XDP program id {ProgramId} ('{ProgramName}', {Mode} mode) as configured")]
    internal static partial void ReplacingProgram(ILogger logger, string @interface, uint programId, string programName, string mode);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "{Interface}: replacing a stale xdp_bypass program (id {ProgramId}, {Mode} mode) that no running process owns")]
    internal static partial void ReplacingStaleProgram(ILogger logger, string @interface, uint programId, string mode);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Interface}: reusing pinned map {Path}")]
    internal static partial void PinReused(ILogger logger, string @interface, string path);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Interface}: pinned map {Path} has another layout ({Found}); this filter needs {Needed}: replacing it, its entries are dropped")]
    internal static partial void PinReplaced(ILogger logger, string @interface, string path, string found, string needed);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "{Interface}: removing pins of another layout or of a pinned run: {Path}")]
    internal static partial void StalePinsRemoved(ILogger logger, string @interface, string path);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "{Interface}: {Count} bypassed flows restored from pinned maps")]
    internal static partial void Restored(ILogger logger, string @interface, int count);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "{Interface}: inserting into {Map} failed: {Error} (errno {Errno})")]
    internal static partial void InsertFailed(ILogger logger, string @interface, string map, string error, int errno);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "{Interface}: deleting from {Map} failed: {Error} (errno {Errno})")]
    internal static partial void DeleteFailed(ILogger logger, string @interface, string map, string error, int errno);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "{Interface}: bypass map sweep expired {Expired} orphan entries ({Visited} visited, {Orphans} without a flow)")]
    internal static partial void OrphansExpired(ILogger logger, string @interface, long expired, long visited, long orphans);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "{Interface}: walking {Map} failed: {Error} (errno {Errno})")]
    internal static partial void WalkFailed(ILogger logger, string @interface, string map, string error, int errno);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "{Interface}: the bypass map sweeper failed")]
    internal static partial void SweeperFailed(ILogger logger, string @interface, Exception exception);

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: reusing the program array pinned at {Path} ({Slots} slots)")]
    internal static partial void ChainArrayReused(ILogger logger, string @interface, string path, uint slots);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: program array of {Slots} slots created and pinned at {Path}")]
    internal static partial void ChainArrayPinned(ILogger logger, string @interface, string path, int slots);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: slot {Slot} of {Path} runs {Program} (program {ProgramId})")]
    internal static partial void ChainSlotFilled(ILogger logger, string @interface, uint slot, string path, string program, string programId);

    [LoggerMessage(EventId = 53, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: the filter (program id {ProgramId}) runs in slot {Slot} of {Path}, not attached to the interface")]
    internal static partial void ChainJoined(ILogger logger, string @interface, uint slot, string path, uint programId);

    [LoggerMessage(EventId = 54, Level = LogLevel.Warning, Message = "{Interface}: xdp-chain: replacing program {Occupant} in slot {Slot} of {Path}: {Reason}")]
    internal static partial void ChainSlotReplaced(ILogger logger, string @interface, uint slot, string path, string occupant, string reason);

    [LoggerMessage(EventId = 55, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: slot {Slot} of {Path} emptied")]
    internal static partial void ChainSlotEmptied(ILogger logger, string @interface, uint slot, string path);

    [LoggerMessage(EventId = 56, Level = LogLevel.Warning, Message = "{Interface}: xdp-chain: slot {Slot} of {Path} holds another program than the one put there at start; left as it is")]
    internal static partial void ChainSlotChanged(ILogger logger, string @interface, uint slot, string path);

    [LoggerMessage(EventId = 57, Level = LogLevel.Information, Message = "{Interface}: xdp-chain: program array {Path} unpinned (created at start, no slot taken)")]
    internal static partial void ChainArrayUnpinned(ILogger logger, string @interface, string path);

    [LoggerMessage(EventId = 58, Level = LogLevel.Warning, Message = "{Interface}: xdp-chain: program array {Path} was created at start but is kept pinned: slots {Slots} hold programs put there by others, and unpinning would empty them")]
    internal static partial void ChainArrayKept(ILogger logger, string @interface, string path, string slots);

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "{Interface}: {Taken} of {Offered} header-only bypass rules in the XDP filter ({Entries} of {Capacity} entries): the filter bypasses their flows at the first matching packet")]
    internal static partial void KernelRulesLoaded(ILogger logger, string @interface, int taken, int offered, int entries, int capacity);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "{Interface}: bypass rule sid {Sid} is bypassed by user space, not by the XDP filter: {Reason}")]
    internal static partial void KernelRuleRefused(ILogger logger, string @interface, long sid, string reason);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "{Interface}: xdp-bypass-rules: no: the {Count} header-only bypass rules are bypassed by user space")]
    internal static partial void KernelRulesOff(ILogger logger, string @interface, int count);
}
