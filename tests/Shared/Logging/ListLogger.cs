// Shared test logger (tests/Shared/Logging), linked into Capture.Hosting.Tests and Detect.Sample.Tests.
using Microsoft.Extensions.Logging;

namespace Capture.Tests.Logging;

/// <summary>Keeps what is logged through it.</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Warnings { get; } = [];

    /// <summary>Every message, whatever its level.</summary>
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        string message = formatter(state, exception);
        Messages.Add(message);
        if (logLevel == LogLevel.Warning)
        {
            Warnings.Add(message);
        }
    }
}
