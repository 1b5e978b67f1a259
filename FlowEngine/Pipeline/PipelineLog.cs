using Microsoft.Extensions.Logging;

namespace FlowEngine.Pipeline;

/// <summary>Log messages of the pipeline.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Capture source {Source} failed; its flows are ended and logged, and the engine reports the failure to its caller")]
    public static partial void WorkerFailed(ILogger logger, Exception exception, string source);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Flow engine: {Workers} worker(s), up to {Capacity} flows per worker ({BytesPerFlow} bytes each, {Initial} at start), {Buckets} hash buckets")]
    public static partial void Started(ILogger logger, int workers, int capacity, long bytesPerFlow, int initial, int buckets);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Flow engine stopped: {Flows} flows, {Packets} packets")]
    public static partial void Stopped(ILogger logger, long flows, long packets);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Stopping capture source {Source} failed")]
    public static partial void StopFailed(ILogger logger, Exception exception, string source);
}
