using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>One category's logger of <see cref="ConsoleLineLoggerProvider"/> (levels are filtered by the logger factory).</summary>
internal sealed class ConsoleLineLogger : ILogger
{
    private readonly string _category;
    private readonly ConsoleLineLoggerProvider _provider;

    public ConsoleLineLogger(string category, ConsoleLineLoggerProvider provider)
    {
        _category = category;
        _provider = provider;
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            _provider.Write(new LogEntry<TState>(logLevel, _category, eventId, state, exception, formatter));
        }
    }
}
