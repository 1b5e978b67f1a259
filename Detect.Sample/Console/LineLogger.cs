using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>One category's logger of a line provider (the console's, suricata.log's); the provider holds the level.</summary>
internal sealed class LineLogger : ILogger
{
    private readonly string _category;
    private readonly ILogLineSink _sink;

    public LineLogger(string category, ILogLineSink sink)
    {
        _category = category;
        _sink = sink;
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => _sink.IsEnabled(logLevel);

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            _sink.Write(new LogEntry<TState>(logLevel, _category, eventId, state, exception, formatter));
        }
    }
}
