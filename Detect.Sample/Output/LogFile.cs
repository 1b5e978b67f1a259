using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Detect.Sample.Output;

/// <summary>
/// One log file of whole lines in the log directory, buffered. What reaches the file is always
/// whole lines: a write that fails (a full disk, an I/O error) is cut back to the last whole line
/// that reached the file and the lines after it are counted as lost; later writes try again. Not
/// thread-safe: its writer serialises calls. <c>append: no</c> empties the file at the first
/// write, so a run that fails before writing anything leaves the previous log as it was.
/// </summary>
internal sealed class LogFile : IEveDestination
{
    private readonly LogDirectory _directory;
    private readonly bool _append;
    private readonly UnixFileMode _mode;
    private readonly byte[] _buffer;
    private SafeFileHandle _file;
    private int _length;
    private int _bufferedLines;
    private bool _emptied;

    public LogFile(LogDirectory directory, string name, bool append, UnixFileMode mode, int bufferSize = 1 << 16)
    {
        _directory = directory;
        Name = name;
        _append = append;
        _mode = mode;
        // Not cleared: only what a run writes is ever touched (a short run leaves most of the EVE log's buffer untouched).
        _buffer = GC.AllocateUninitializedArray<byte>(bufferSize);
        _file = directory.OpenFile(name, append, mode);
        _emptied = append;
    }

    public string Name { get; }

    public string Path => _directory.PathOf(Name);

    /// <summary>Lines that reached the file.</summary>
    public long LinesWritten { get; private set; }

    /// <summary>Lines lost to write failures.</summary>
    public long LinesLost { get; private set; }

    /// <summary>Whether the last write failed (and lines are being lost).</summary>
    public bool Failing { get; private set; }

    /// <summary>What the first failed write said; null while none failed.</summary>
    public string? FirstError { get; private set; }

    /// <summary>Lines waiting in the buffer.</summary>
    public int BufferedLines => _bufferedLines;

    /// <summary>Adds one line (which ends with its newline).</summary>
    /// <returns>The outcome of a flush the line caused, <see cref="WriteOutcome.Buffered"/> when none.</returns>
    public WriteOutcome Append(ReadOnlySpan<byte> line)
    {
        Debug.Assert(line.Length > 0 && line[^1] == (byte)'\n', "a log line ends with its newline");
        WriteOutcome outcome = WriteOutcome.Buffered;
        if (_length + line.Length > _buffer.Length)
        {
            outcome = Flush();
        }

        if (line.Length > _buffer.Length)
        {
            // Larger than the whole buffer: written on its own (the buffer is empty now).
            WriteOutcome own = Write(line, 1);
            return own == WriteOutcome.Failed ? own : outcome;
        }

        line.CopyTo(_buffer.AsSpan(_length));
        _length += line.Length;
        _bufferedLines++;
        return outcome;
    }

    /// <summary>
    /// Room at the end of the buffer for one line of at most <paramref name="maximum"/> bytes,
    /// flushing first when it would not fit: the caller writes the line there and hands its length
    /// to <see cref="Commit"/> (a line built in place is not copied in, as <see cref="Append"/> copies it).
    /// </summary>
    /// <param name="maximum">The most the line can take.</param>
    /// <param name="outcome">The outcome of a flush the room needed, <see cref="WriteOutcome.Buffered"/> when none.</param>
    /// <returns>The room (to the buffer's end), or an empty segment when no line that long fits the buffer: then <see cref="Append"/> the line.</returns>
    public ArraySegment<byte> Reserve(int maximum, out WriteOutcome outcome)
    {
        outcome = WriteOutcome.Buffered;
        if (maximum > _buffer.Length)
        {
            return ArraySegment<byte>.Empty;
        }

        if (_length + maximum > _buffer.Length)
        {
            outcome = Flush();
        }

        return new ArraySegment<byte>(_buffer, _length, _buffer.Length - _length);
    }

    /// <summary>Adds the line of <paramref name="length"/> bytes written into the room <see cref="Reserve"/> gave (ending with its newline).</summary>
    public void Commit(int length)
    {
        Debug.Assert(length > 0 && length <= _buffer.Length - _length && _buffer[_length + length - 1] == (byte)'\n', "a line in the room, ending with its newline");
        _length += length;
        _bufferedLines++;
    }

    /// <summary>Writes the buffered lines.</summary>
    public WriteOutcome Flush()
    {
        if (_length == 0)
        {
            return WriteOutcome.Buffered;
        }

        WriteOutcome outcome = Write(_buffer.AsSpan(0, _length), _bufferedLines);
        _length = 0;
        _bufferedLines = 0;
        return outcome;
    }

    /// <summary>
    /// Writes what is buffered to the current file, then opens the name anew: after log rotation
    /// moved the file away, writing goes on in a new file of the same name.
    /// </summary>
    /// <exception cref="IOException">The new file cannot be opened; writing goes on in the old one.</exception>
    public WriteOutcome Reopen()
    {
        WriteOutcome outcome = Flush();
        SafeFileHandle next = _directory.OpenFile(Name, append: true, _mode);
        _file.Dispose();
        _file = next;
        _emptied = true;
        return outcome;
    }

    public void Dispose()
    {
        _file.Dispose();
    }

    private WriteOutcome Write(ReadOnlySpan<byte> lines, int count)
    {
        int error = 0;
        long end = -1;
        int written = 0;
        if (!_emptied)
        {
            error = PosixFile.CutTo(_file, 0);
            _emptied = error == 0;
        }

        if (error == 0)
        {
            end = PosixFile.End(_file);
            error = end < 0 ? (int)-end : PosixFile.WriteAll(_file, lines, out written);
        }

        if (error == 0)
        {
            LinesWritten += count;
            bool resumed = Failing;
            Failing = false;
            return resumed ? WriteOutcome.Resumed : WriteOutcome.Written;
        }

        // A partial write would leave half a line that every reader chokes on: the whole lines that
        // reached the file stay, the rest is cut off.
        int kept = 0;
        if (end >= 0)
        {
            kept = lines[..written].LastIndexOf((byte)'\n') + 1;
            _ = PosixFile.CutTo(_file, end + kept);
        }

        int keptLines = lines[..kept].Count((byte)'\n');
        LinesWritten += keptLines;
        LinesLost += count - keptLines;
        FirstError ??= PosixFile.Describe(error);
        bool first = !Failing;
        Failing = true;
        return first ? WriteOutcome.Failed : WriteOutcome.StillFailing;
    }
}
