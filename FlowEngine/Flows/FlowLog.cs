using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>Log messages of the flow table and flow manager.</summary>
internal static partial class FlowLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Flow table of {Interface} is full ({Capacity} flows): emergency mode, emergency timeouts apply until {Recovery} flows are free")]
    public static partial void EmergencyEntered(ILogger logger, string @interface, int capacity, int recovery);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Flow table of {Interface} left emergency mode ({Free} flows free)")]
    public static partial void EmergencyOver(ILogger logger, string @interface, int free);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Capture bypass by {Strategy} refused for a flow on {Interface}: {Failure} {Detail}; bypassing locally")]
    public static partial void CaptureBypassRefused(ILogger logger, string strategy, string @interface, Capture.Abstractions.BypassFailure failure, string? detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Bypass strategy {Strategy} failed in {Operation} for a flow on {Interface}")]
    public static partial void StrategyFailed(ILogger logger, Exception exception, string strategy, string operation, string @interface);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Flow event sink failed for a flow of {Interface}; the flow's record is lost, counted in flow.output_errors")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string @interface);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Flow table of {Interface} cannot grow past {Capacity} of its {MaxCapacity} flows: the system refused the memory; it stays at this size")]
    public static partial void GrowRefused(ILogger logger, string @interface, int capacity, int maxCapacity);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Capture bypass by {Strategy} on {Interface} cannot match a flow (tunnel depth {TunnelDepth}): {Detail}; such flows are bypassed locally (flow_bypassed.capture_unsupported counts them; each one is logged at debug level)")]
    public static partial void CaptureBypassUnsupported(ILogger logger, string strategy, string @interface, string? detail, byte tunnelDepth);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Capture-bypassed flow on {Interface} still delivered after half the bypassed timeout: downgraded to local bypass")]
    public static partial void Downgraded(ILogger logger, string @interface);
}
