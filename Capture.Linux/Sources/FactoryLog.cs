using Microsoft.Extensions.Logging;

namespace Capture.Linux.Sources;

/// <summary>Log messages of source creation.</summary>
internal static partial class FactoryLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);
}
