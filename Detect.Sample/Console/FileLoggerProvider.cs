using System.Text;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Console;

/// <summary>
/// suricata.log: log entries as Suricata's <c>logging.outputs: - file:</c> writes them, one line
/// each, appended to a file of the log directory (opened as every log file is: by a plain name,
/// never through a link; SIGHUP reopens it). The file opens only once the run has checked its
/// configuration and capture; what is logged from the configuration on waits in memory until
/// then (bounded), so that the configuration's warnings reach the file too. A run that ends before
/// (<c>-T</c>, a bad configuration) writes no file.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider, ILogLineSink
{
    /// <summary>Lines kept while the file is not open yet; more are counted and dropped.</summary>
    public const int PendingLimit = 10_000;

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly List<string> _pending = [];
    private LoggingOptions _options = new();
    private SharedLogFile? _file;
    private int _dropped;

    // Off until configured; then Pending until the log directory opens, then Open; Off again at the run's end.
    private volatile State _state;
    private volatile int _minimum = (int)LogLevel.None;

    public FileLoggerProvider(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
    }

    private enum State
    {
        Off,
        Pending,
        Open,
    }

    /// <summary>The file's full path once open; null before.</summary>
    public string? Path => _file?.Path;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName, this);

    /// <inheritdoc />
    public bool IsEnabled(LogLevel level) => _state != State.Off && level != LogLevel.None && (int)level >= _minimum;

    /// <summary>Applies <c>logging:</c>: from now on entries of the file's level are kept for it, or none when it is off.</summary>
    public void Configure(LoggingOptions options)
    {
        lock (_gate)
        {
            _options = options;
            _minimum = (int)options.FileLevel;
            _state = options.File ? State.Pending : State.Off;
            if (!options.File)
            {
                _pending.Clear();
            }
        }
    }

    /// <summary>
    /// Opens the file in the log directory and writes what waited; the returned handle closes it
    /// (later entries are not written). Null when the file output is off.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened (a link, not a regular file, no permission).</exception>
    public IDisposable? Open(LogDirectory directory, UnixFileMode mode)
    {
        lock (_gate)
        {
            if (_state != State.Pending)
            {
                return null;
            }

            _file = new SharedLogFile(directory, new TextLogOptions { FileName = _options.FileName, Append = true }, mode);
            if (_dropped > 0)
            {
                _pending.Add(Line(LogLevel.Warning, typeof(FileLoggerProvider).FullName!, default, $"{_dropped} log entries before the log file opened were dropped (more than {PendingLimit})"));
            }

            foreach (string line in _pending)
            {
                _file.Append(Encoding.UTF8.GetBytes(line));
            }

            _file.Flush();
            _pending.Clear();
            _state = State.Open;
            return new Closing(this);
        }
    }

    /// <summary>SIGHUP: opens the name anew (after log rotation moved the file away).</summary>
    /// <exception cref="IOException">The new file cannot be opened; writing goes on in the old one.</exception>
    public void Reopen()
    {
        SharedLogFile? file;
        lock (_gate)
        {
            file = _state == State.Open ? _file : null;
        }

        file?.Reopen();
    }

    /// <inheritdoc />
    public void Dispose() => Close();

    /// <inheritdoc />
    public void Write<TState>(in LogEntry<TState> entry)
    {
        string message = entry.Formatter(entry.State, entry.Exception);
        if (entry.Exception is { } exception && !message.Contains(exception.Message, StringComparison.Ordinal))
        {
            message = $"{message}: {exception.Message}";
        }

        if (message.Length == 0)
        {
            return;
        }

        string line = Line(entry.LogLevel, entry.Category, entry.EventId, message.ReplaceLineEndings(" "));
        SharedLogFile? file;
        lock (_gate)
        {
            switch (_state)
            {
                case State.Pending when _pending.Count < PendingLimit:
                    _pending.Add(line);
                    return;
                case State.Pending:
                    _dropped++;
                    return;
                case State.Open:
                    file = _file;
                    break;
                default:
                    return;
            }
        }

        // Written at once: the log's last lines are what an operator reads after a crash.
        file?.Append(Encoding.UTF8.GetBytes(line), flush: true);
    }

    private string Line(LogLevel level, string category, EventId eventId, string message) =>
        FileLogLine.Format(_options.FileFormat, _options.FileJson, _clock.GetUtcNow(), level, category, eventId, message);

    private void Close()
    {
        lock (_gate)
        {
            _state = State.Off;
            _pending.Clear();
            _file?.Dispose();
            _file = null;
        }
    }

    private sealed class Closing(FileLoggerProvider provider) : IDisposable
    {
        public void Dispose() => provider.Close();
    }
}
