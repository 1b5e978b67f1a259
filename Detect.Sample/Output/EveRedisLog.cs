using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>The Redis eve-log's log messages.</summary>
internal static partial class EveRedisLog
{
    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "eve-log: {Path} is not reachable at start; up to {Buffer} events wait for it, more are dropped and counted (eve.redis.dropped)")]
    public static partial void NotReachable(ILogger logger, string path, int buffer);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "eve-log: sending to {Path} failed: {Error}; {Buffered} event(s) wait in the buffer, retrying")]
    public static partial void SendFailed(ILogger logger, string path, string error, long buffered);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "eve-log: sending to {Path} works again")]
    public static partial void SendResumed(ILogger logger, string path);

    [LoggerMessage(EventId = 313, Level = LogLevel.Error, Message = "eve-log: {Undelivered} event(s) were not delivered to {Path} within the shutdown timeout of {Seconds} s; {Delivered} delivered, {Dropped} dropped while the buffer was full")]
    public static partial void Undelivered(ILogger logger, string path, long undelivered, double seconds, long delivered, long dropped);

    [LoggerMessage(EventId = 314, Level = LogLevel.Information, Message = "eve-log: {Path} closed; {Delivered} event(s) delivered, {Dropped} dropped while the buffer was full")]
    public static partial void Closed(ILogger logger, string path, long delivered, long dropped);

    [LoggerMessage(EventId = 315, Level = LogLevel.Error, Message = "eve-log: the sender to {Path} stopped: {Error}")]
    public static partial void SenderFailed(ILogger logger, string path, string error);
}
