namespace Detect.Sample.Output;

/// <summary>
/// A <see cref="LogFile"/> the workers and the output thread share: every call under one lock, and
/// nothing written once it is disposed (a late alert after the run's end is dropped, not an error).
/// </summary>
internal sealed class SharedLogFile : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LogFile _file;
    private bool _disposed;

    public SharedLogFile(LogDirectory directory, TextLogOptions options, UnixFileMode mode, int bufferSize = 1 << 16)
    {
        _file = new LogFile(directory, options.FileName, options.Append, mode, bufferSize);
    }

    public string Path => _file.Path;

    /// <summary>Appends whole lines; <paramref name="flush"/> writes them out at once.</summary>
    public void Append(ReadOnlySpan<byte> lines, bool flush = false)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _ = _file.Append(lines);
            if (flush)
            {
                _ = _file.Flush();
            }
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _ = _file.Flush();
            }
        }
    }

    public void Reopen()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _ = _file.Reopen();
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
            _ = _file.Flush();
            _file.Dispose();
        }
    }
}
