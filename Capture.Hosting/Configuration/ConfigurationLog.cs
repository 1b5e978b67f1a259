using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Configuration;

/// <summary>Log messages of the configuration binding.</summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Configuration: {Warning}")]
    public static partial void ConfigurationWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Configuration: {Location}: {Key}: Suricata setting not used by this host; ignored")]
    public static partial void SettingNotUsed(ILogger logger, string location, string key);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Configuration: {Location}: section '{Section}' is declared by neither the host nor a loaded plugin; ignored")]
    public static partial void SectionNotDeclared(ILogger logger, string location, string section);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Configuration bound: flow hash-size {HashSize}, prealloc {Prealloc}, memcap {Memcap}; eve-log {EveEnabled} ({EveFile}); {WarningCount} warning(s)")]
    public static partial void Bound(ILogger logger, int hashSize, int prealloc, long memcap, bool eveEnabled, string eveFile, int warningCount);
}
