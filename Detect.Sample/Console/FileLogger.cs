using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>One category's logger of <see cref="FileLoggerProvider"/>.</summary>
internal sealed class FileLogger : ILogger
{
    private readonly string _category;
    private readonly FileLoggerProvider _provider;

    public FileLogger(string category, FileLoggerProvider provider)
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
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception);
        if (exception is not null && !message.Contains(exception.Message, StringComparison.Ordinal))
        {
            message = $"{message}: {exception.Message}";
        }

        if (message.Length > 0)
        {
            _provider.Write(logLevel, _category, eventId, message.ReplaceLineEndings(" "));
        }
    }
}
