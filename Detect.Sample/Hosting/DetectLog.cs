using Microsoft.Extensions.Logging;

namespace Detect.Sample.Hosting;

/// <summary>The host's log messages.</summary>
internal static partial class DetectLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Configuration {File}; capture plugin {Capture}; target {Target}; logging to {LogDirectory}")]
    public static partial void Starting(ILogger logger, string file, string capture, string target, string logDirectory);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Rule skipped: {Error}")]
    public static partial void RuleSkipped(ILogger logger, string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Count} rules loaded from {Files} file(s), {Failed} failed")]
    public static partial void RulesLoaded(ILogger logger, int count, int files, int failed);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Count} capture source(s) opened: {Names}")]
    public static partial void SourcesOpened(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Control socket listening on {Path}")]
    public static partial void ControlListening(ILogger logger, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Stopping on request")]
    public static partial void StopRequested(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Bypass requested for flow {FlowId} ({Reason})")]
    public static partial void BypassRequested(ILogger logger, long flowId, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Rules file {File} not found; continuing without it")]
    public static partial void RulesFileMissing(ILogger logger, string file);
}
