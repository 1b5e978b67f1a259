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

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Count} capture source(s) opened: {Names}")]
    public static partial void SourcesOpened(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Control socket listening on {Path}")]
    public static partial void ControlListening(ILogger logger, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Stopping on request")]
    public static partial void StopRequested(ILogger logger);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Bypass requested for flow {FlowId} ({Reason})")]
    public static partial void BypassRequested(ILogger logger, long flowId, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Rules file {File} not found; the run goes on with the {Rules} rule(s) of the other files")]
    public static partial void RulesFileMissing(ILogger logger, string file, int rules);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "{Files} rule file(s) specified, but no rules were loaded; the run goes on without detection")]
    public static partial void NoRulesLoaded(ILogger logger, int files);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Signal} was ignored when the process started; it stops the host now")]
    public static partial void SignalRestored(ILogger logger, string signal);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Signal}: stopping; flows are ended and logged (a second signal exits at once)")]
    public static partial void StopSignal(ILogger logger, string signal);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{Signal} again: exiting at once; flows not yet ended are not logged")]
    public static partial void SecondStopSignal(ILogger logger, string signal);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "SIGHUP: reopening {Count} log file(s)")]
    public static partial void ReopenSignal(ILogger logger, int count);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "SIGUSR2: reloading rules is not supported by this host; the rules loaded at start stay in force")]
    public static partial void ReloadNotSupported(ILogger logger);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Capture started: {Sources} source(s)")]
    public static partial void CaptureStarted(ILogger logger, int sources);

    [LoggerMessage(EventId = 15, Level = LogLevel.Debug, Message = "Told the service manager: {State}")]
    public static partial void ServiceNotified(ILogger logger, string state);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information, Message = "Prometheus endpoint listening on {Url}")]
    public static partial void MetricsListening(ILogger logger, string url);

    [LoggerMessage(EventId = 19, Level = LogLevel.Debug, Message = "Packet path warmed in {Milliseconds:0.0} ms: {Rounds} rounds, {Bypasses} bypass requests")]
    public static partial void PacketPathWarmed(ILogger logger, double milliseconds, int rounds, long bypasses);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "The packet path was not warmed before the capture (its temporary EVE file failed); the first packets pay its first run")]
    public static partial void PacketPathNotWarmed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Location}: logging.outputs syslog is not written by this host; log entries go to the console and the file output")]
    public static partial void SyslogNotWritten(ILogger logger, string location);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "SIGHUP: {Path} could not be reopened ({Error}); logging goes on in the old file")]
    public static partial void LogReopenFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "IP reputation: {Problem}")]
    public static partial void ReputationProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Firewall mode: {Rules} firewall rule(s) from {Files}; traffic they do not accept is dropped")]
    public static partial void FirewallMode(ILogger logger, int rules, string files);

    [LoggerMessage(EventId = 25, Level = LogLevel.Debug, Message = "Waited {Milliseconds:0.0} ms for the runtime's recompiles of the start-up before READY=1 (settled: {Settled})")]
    public static partial void StartupCompilesWaited(ILogger logger, double milliseconds, bool settled);
}
