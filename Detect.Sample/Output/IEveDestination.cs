namespace Detect.Sample.Output;

/// <summary>
/// Where an <see cref="EveWriter"/> puts its lines: a file in the log directory, or a Redis server.
/// Calls come from the writer under its lock; the counters may be read from any thread.
/// </summary>
internal interface IEveDestination : IDisposable
{
    /// <summary>What the destination is, for messages and the summary (a path, <c>redis://host:port/key</c>).</summary>
    string Path { get; }

    /// <summary>Lines that reached the destination.</summary>
    long LinesWritten { get; }

    /// <summary>Lines lost (a failed write, a full buffer, not delivered at the end).</summary>
    long LinesLost { get; }

    /// <summary>What the first loss was caused by; null while nothing was lost.</summary>
    string? FirstError { get; }

    /// <summary>Adds one line (which ends with its newline).</summary>
    WriteOutcome Append(ReadOnlySpan<byte> line);

    /// <summary>Writes what is buffered, where the destination buffers for its caller.</summary>
    WriteOutcome Flush();

    /// <summary>Writes what is buffered and opens the destination anew (SIGHUP after log rotation).</summary>
    WriteOutcome Reopen();
}
