using Microsoft.Extensions.Logging;

namespace Detect.Sample.Hosting;

/// <summary>Log messages about plugin discovery.</summary>
internal static partial class PluginLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Capture plugin skipped: {Reason}")]
    public static partial void Skipped(ILogger logger, string reason);
}
