using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>
/// One line per log entry (<c>HH:mm:ss level: category[event] message</c>). An exception adds its
/// message; its stack trace only with <c>-v</c>, since an operator needs the cause, not the frames.
/// </summary>
/// <remarks>
/// A class of its own rather than a Microsoft.Extensions.Logging.Console formatter: only
/// <see cref="ConsoleLineLoggerProvider"/> uses it, and the base class loaded that assembly at every start.
/// </remarks>
internal sealed class ConsoleLineFormatter
{
    private readonly bool _stackTraces;
    private readonly TimeProvider _clock;

    public ConsoleLineFormatter(bool stackTraces, TimeProvider? clock = null)
    {
        _stackTraces = stackTraces;
        _clock = clock ?? TimeProvider.System;
    }

    public void Write<TState>(in LogEntry<TState> logEntry, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is null && string.IsNullOrEmpty(message))
        {
            return;
        }

        textWriter.Write(_clock.GetLocalNow().ToString("HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        });
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.Write("] ");
        textWriter.Write(message.ReplaceLineEndings(" "));
        if (logEntry.Exception is { } exception)
        {
            if (_stackTraces)
            {
                textWriter.Write(' ');
                textWriter.Write(exception.ToString().ReplaceLineEndings(" "));
            }
            else if (!message.Contains(exception.Message, StringComparison.Ordinal))
            {
                textWriter.Write(": ");
                textWriter.Write(exception.Message.ReplaceLineEndings(" "));
            }
        }

        textWriter.Write(Environment.NewLine);
    }
}
