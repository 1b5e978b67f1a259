using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>One category's logger of <see cref="ConsoleLineLoggerProvider"/> (its provider holds the level).</summary>
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
    public bool IsEnabled(LogLevel logLevel) => _provider.IsEnabled(logLevel);

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
