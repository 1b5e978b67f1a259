using Microsoft.Extensions.Logging;

namespace Capture.Netronome;

/// <summary>Source-generated log messages of the netronome plugin.</summary>
internal static partial class NetronomeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Interface}: bypass filter running in xdp-mode {Mode} with shared maps of {Capacity} entries, {Threads} capture threads steered by receive queue")]
    public static partial void Offloaded(ILogger logger, string @interface, string mode, int capacity, int threads);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Interface}: generic receive offload (GRO) is on: the kernel merges TCP segments before the capture sees them, so capture counts differ from the wire; turn it off: ethtool -K {Interface} gro off")]
    public static partial void GroOn(ILogger logger, string @interface);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "bypass manager thread {Thread} started (poll every {IntervalMilliseconds} ms, queue of {Capacity})")]
    public static partial void ManagerStarted(ILogger logger, string thread, double intervalMilliseconds, int capacity);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "bypass manager stopped: {Inserted} flows inserted, {Failed} failed, {Released} released, {Polls} polls, insert {AverageMilliseconds:0.###} ms on average, {MaxMilliseconds:0.###} ms at most")]
    public static partial void ManagerStopped(ILogger logger, long inserted, long failed, long released, long polls, double averageMilliseconds, double maxMilliseconds);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "{Interface}: bypass not done: {Detail}")]
    public static partial void BypassNotAnswered(ILogger logger, string @interface, string detail);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "{Interface}: no fresh read of the flow maps in time; liveness answered from the previous one")]
    public static partial void PollNotReady(ILogger logger, string @interface);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "{Interface}: a flow insert failed unexpectedly")]
    public static partial void InsertCrashed(ILogger logger, string @interface, Exception exception);

    [LoggerMessage(EventId = 25, Level = LogLevel.Error, Message = "{Interface}: bypass manager request {Kind} failed")]
    public static partial void ControlFailed(ILogger logger, string kind, string @interface, Exception exception);

    [LoggerMessage(EventId = 26, Level = LogLevel.Error, Message = "{Interface}: reading the flow maps failed")]
    public static partial void PollFailed(ILogger logger, string @interface, Exception exception);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "{Interface}: batch read of {Map} stopped: errno {Errno}")]
    public static partial void WalkFailed(ILogger logger, string @interface, string map, int errno);

    [LoggerMessage(EventId = 28, Level = LogLevel.Information, Message = "{Interface}: expired {Expired} orphan map entries ({Visited} visited)")]
    public static partial void OrphansExpired(ILogger logger, string @interface, long expired, long visited);
}
