using Microsoft.Extensions.Logging;

namespace Detect.Sample.Console;

/// <summary>
/// Logs every entry as one <see cref="ConsoleLineFormatter"/> line on standard error, written whole
/// under a lock so that lines of different threads never interleave.
/// </summary>
/// <remarks>
/// In place of the Microsoft.Extensions.Logging console provider: that one is configured through
/// dependency injection, options and configuration binding, ~25 ms of CPU before its first line
/// (the container's warm-up part of it the host's own service build still pays), for a logger
/// that, without <c>-v</c>, writes a warning now and then.
/// </remarks>
internal sealed class ConsoleLineLoggerProvider : ILoggerProvider, ILogLineSink
{
    private readonly ConsoleLineFormatter _formatter;
    private readonly TextWriter _error;
    private readonly Lock _gate = new();
    private volatile int _minimum;

    /// <summary>Creates the provider.</summary>
    /// <param name="formatter">Formats each entry.</param>
    /// <param name="error">Where the lines go (the process's standard error).</param>
    /// <param name="minimum">The lowest level written until <see cref="Configure"/> says otherwise.</param>
    public ConsoleLineLoggerProvider(ConsoleLineFormatter formatter, TextWriter error, LogLevel minimum = LogLevel.Trace)
    {
        _formatter = formatter;
        _error = error;
        _minimum = (int)minimum;
    }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel level) => level != LogLevel.None && (int)level >= _minimum;

    /// <summary>Applies <c>logging:</c>: the console's level, or nothing when its output is off.</summary>
    public void Configure(LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _minimum = (int)(options.Console ? options.ConsoleLevel : LogLevel.None);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName, this);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _error.Flush();
        }
    }

    /// <inheritdoc />
    public void Write<TState>(in Microsoft.Extensions.Logging.Abstractions.LogEntry<TState> entry)
    {
        using var line = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _formatter.Write(in entry, line);
        if (line.GetStringBuilder().Length == 0)
        {
            return;
        }

        string text = line.ToString();
        lock (_gate)
        {
            _error.Write(text);
        }
    }
}
