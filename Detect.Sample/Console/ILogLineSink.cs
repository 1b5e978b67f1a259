using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>Where a <see cref="LineLogger"/> sends its entries: a provider that holds its own level and writes one line per entry.</summary>
internal interface ILogLineSink
{
    /// <summary>Whether an entry of <paramref name="level"/> is written.</summary>
    bool IsEnabled(LogLevel level);

    /// <summary>Formats an entry (its level already checked) and writes it as one line.</summary>
    void Write<TState>(in LogEntry<TState> entry);
}
