using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>
/// Suricata's log levels (error, warning, notice, info, perf, config, debug) against ILogger's.
/// ILogger has nothing between warning and information nor between information and debug, so
/// <c>notice</c> shows what <c>warning</c> shows and <c>perf</c> what <c>info</c> shows; the host's
/// Debug entries are Suricata's Config (settings, start-up facts) and its Trace entries Debug.
/// </summary>
internal static class SuricataLogLevel
{
    /// <summary>The level names a configuration may give, most severe first.</summary>
    public static readonly string[] Names = ["error", "warning", "notice", "info", "perf", "config", "debug"];

    /// <summary>The lowest ILogger level a Suricata level lets through.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>The minimum level.</returns>
    public static LogLevel Minimum(string name) => name switch
    {
        "error" => LogLevel.Error,
        "warning" or "notice" => LogLevel.Warning,
        "info" or "perf" => LogLevel.Information,
        "config" => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    /// <summary>Suricata's name of an entry's level, as its <c>%d</c> and JSON <c>log_level</c> write it.</summary>
    /// <param name="level">The entry's level.</param>
    /// <returns>Error, Warning, Info, Config or Debug.</returns>
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "Debug",
        LogLevel.Debug => "Config",
        LogLevel.Information => "Info",
        LogLevel.Warning => "Warning",
        _ => "Error",
    };

    /// <summary>Suricata's one-letter name of a level (<c>%D</c>).</summary>
    /// <param name="level">The entry's level.</param>
    /// <returns>E, W, i or d.</returns>
    public static string ShortName(LogLevel level) => level switch
    {
        LogLevel.Trace => "d",
        LogLevel.Debug or LogLevel.Information => "i",
        LogLevel.Warning => "W",
        _ => "E",
    };
}
