using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>
/// A <see cref="LogFile"/> the workers and the output thread share: every call under one lock, and
/// nothing written once it is disposed (a late alert after the run's end is dropped, not an error).
/// A write that fails (a full disk) is one error line and counts the lines lost; the run goes on,
/// and a line says when writing works again.
/// </summary>
internal sealed class SharedLogFile : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LogFile _file;
    private readonly ILogger? _logger;
    private bool _disposed;

    // logger: where write failures are told; null for the log that is itself the logger's file.
    public SharedLogFile(LogDirectory directory, TextLogOptions options, UnixFileMode mode, ILogger? logger = null, int bufferSize = 1 << 16)
    {
        _file = new LogFile(directory, options.FileName, options.Append, mode, bufferSize);
        _logger = logger;
    }

    public string Path => _file.Path;

    /// <summary>Why the first write that failed did; null when none did.</summary>
    public string? WriteError
    {
        get
        {
            lock (_lock)
            {
                return _file.FirstError;
            }
        }
    }

    /// <summary>Lines that could not be written.</summary>
    public long LinesLost
    {
        get
        {
            lock (_lock)
            {
                return _file.LinesLost;
            }
        }
    }

    /// <summary>Appends whole lines; <paramref name="flush"/> writes them out at once.</summary>
    public void Append(ReadOnlySpan<byte> lines, bool flush = false)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Report(_file.Append(lines));
            if (flush)
            {
                Report(_file.Flush());
            }
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Report(_file.Flush());
            }
        }
    }

    public void Reopen()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Report(_file.Reopen());
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Report(_file.Flush());
            _file.Dispose();
        }
    }

    private void Report(WriteOutcome outcome)
    {
        if (_logger is not null)
        {
            _ = EveLog.Report(_logger, _file, outcome, "capture goes on; lines are counted as lost until writing works again");
        }
    }
}
