using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>The EVE writer's log messages.</summary>
internal static partial class EveLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Writing {Path} failed: {Error}; {Lost} event(s) lost so far; {WhatNext}")]
    public static partial void WriteFailed(ILogger logger, string path, string error, long lost, string whatNext);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Writing {Path} works again; {Lost} event(s) were lost")]
    public static partial void WriteResumed(ILogger logger, string path, long lost);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Reopened {Path}")]
    public static partial void Reopened(ILogger logger, string path);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Reopening {Path} failed: {Error}; writing goes on in the file that was open")]
    public static partial void ReopenFailed(ILogger logger, string path, string error);

    /// <summary>
    /// Tells a write's outcome on <paramref name="destination"/>: the first failure of a run of
    /// failures as one error line (with <paramref name="whatNext"/>), and writing working again;
    /// true when it failed.
    /// </summary>
    public static bool Report(ILogger logger, IEveDestination destination, WriteOutcome outcome, string whatNext)
    {
        switch (outcome)
        {
            case WriteOutcome.Failed:
                WriteFailed(logger, destination.Path, destination.FirstError ?? "unknown error", destination.LinesLost, whatNext);
                return true;
            case WriteOutcome.Resumed:
                WriteResumed(logger, destination.Path, destination.LinesLost);
                break;
        }

        return false;
    }
}
