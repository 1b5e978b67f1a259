using System.IO.MemoryMappedFiles;

namespace Capture.Pcap.Files;

/// <summary>
/// A window over one capture file, records parsed in place. A regular file is mapped into memory a
/// window at a time (<see cref="MappedWindow"/>), so packets reach the engine without a copy; a
/// pipe (FIFO, <c>/dev/stdin</c>), which cannot seek and whose reads block, is read in large reads
/// into one buffer.
/// </summary>
internal sealed class CaptureFileInput : IDisposable
{
    /// <summary>The window never grows beyond this: no record we parse in place is larger.</summary>
    public const int MaxWindow = 64 << 20;

    /// <summary>
    /// Bytes mapped at a time from a regular file. Large enough that moving the window (a batch
    /// ends there) is rare, small enough that the pages a run has touched do not pile up in its
    /// resident memory: a window is unmapped once read and its batches are released.
    /// </summary>
    public const int MappedWindowBytes = 8 << 20;

    private readonly FileStream _stream;
    private readonly Action? _beforeBlockingRead;
    private MemoryMappedFile? _map;
    private long _mapLength;
    private MappedWindow? _window;
    private long _position;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferFileOffset;
    private bool _endOfFile;

    /// <summary>Opens a file for sequential reading.</summary>
    /// <param name="stream">The open file (unbuffered: this class buffers).</param>
    /// <param name="bufferSize">Bytes per read.</param>
    /// <param name="beforeBlockingRead">Called before a read on a pipe, which may block until the writer writes.</param>
    public CaptureFileInput(FileStream stream, int bufferSize, Action? beforeBlockingRead)
    {
        _stream = stream;
        IsSeekable = stream.CanSeek;
        _beforeBlockingRead = IsSeekable ? null : beforeBlockingRead;
        IsMapped = IsSeekable && stream.Length > 0;
        _buffer = IsMapped ? [] : GC.AllocateUninitializedArray<byte>(bufferSize);
    }

    /// <summary>Whether the file is read through memory mappings (a regular, non-empty file).</summary>
    public bool IsMapped { get; }

    /// <summary>
    /// The mapped window the bytes of <see cref="Span"/> lie in (null when the file is read into a
    /// buffer): spans handed out stay valid while a reference to it is held.
    /// </summary>
    public MappedWindow? Window => _window;

    /// <summary>Whether the input is a regular file (not a pipe).</summary>
    public bool IsSeekable { get; }

    /// <summary>File offset of the first unread byte.</summary>
    public long Position => IsMapped ? _position : _bufferFileOffset + _start;

    /// <summary>Bytes in the window.</summary>
    public int Available => IsMapped ? MappedAvailable : _end - _start;

    /// <summary>The unread bytes in the window; valid until the next <see cref="Ensure"/> or <see cref="Skip"/>.</summary>
    public ReadOnlySpan<byte> Span => IsMapped
        ? (_window is { } window && MappedAvailable > 0 ? window.Span.Slice((int)(_position - window.FileOffset), MappedAvailable) : [])
        : new(_buffer, _start, _end - _start);

    // Zero when a skip moved the position out of the window: the next Ensure maps it.
    private int MappedAvailable => _window is { } window && _position >= window.FileOffset && _position <= window.FileOffset + window.Length
        ? (int)(window.FileOffset + window.Length - _position)
        : 0;

    /// <summary>Makes at least <paramref name="count"/> bytes available; false at end of file.</summary>
    /// <param name="count">Bytes needed (at most <see cref="MaxWindow"/>).</param>
    /// <returns>True when they are there.</returns>
    public bool Ensure(int count) => IsMapped ? MappedAvailable >= count || Map(count) : _end - _start >= count || Fill(count);

    /// <summary>Consumes bytes of the window.</summary>
    /// <param name="count">At most <see cref="Available"/>.</param>
    public void Advance(int count)
    {
        if (IsMapped)
        {
            _position += count;
        }
        else
        {
            _start += count;
        }
    }

    /// <summary>Skips bytes, beyond the window when needed (seeking where the file can).</summary>
    /// <param name="count">Bytes to skip.</param>
    /// <returns>False when the file ended first.</returns>
    public bool Skip(long count)
    {
        if (IsMapped)
        {
            if (count <= MappedAvailable)
            {
                _position += count;
                return true;
            }

            // Past the window: move to the target (or the end), mapping it when next asked.
            long target = _position + count;
            long length = CurrentLength();
            _position = Math.Min(target, length);
            return target <= length;
        }

        if (count <= _end - _start)
        {
            _start += (int)count;
            return true;
        }

        count -= _end - _start;
        _bufferFileOffset += _end;
        _start = _end = 0;
        if (IsSeekable)
        {
            long target = _bufferFileOffset + count;
            if (target > _stream.Length)
            {
                _bufferFileOffset = _stream.Length;
                _stream.Position = _bufferFileOffset;
                _endOfFile = true;
                return false;
            }

            _stream.Position = target;
            _bufferFileOffset = target;
            return true;
        }

        while (count > 0)
        {
            if (!Fill(1))
            {
                return false;
            }

            int step = (int)Math.Min(count, _end - _start);
            _start += step;
            count -= step;
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Batches still holding the window keep its view mapped until they are released.
        _window?.Dispose();
        _window = null;
        _map?.Dispose();
        _map = null;
        _stream.Dispose();
    }

    /// <summary>Maps the window starting at the read position; false when the file has fewer than <paramref name="count"/> bytes left.</summary>
    private bool Map(int count)
    {
        if (count > MaxWindow)
        {
            return false;
        }

        long length = CurrentLength();
        long left = length - _position;
        int size = (int)Math.Min(left, Math.Max(count, MappedWindowBytes));
        if (size <= 0)
        {
            _window?.Dispose();
            _window = null;
            return false;
        }

        if (_map is null || _mapLength < _position + size)
        {
            // First window, or the file grew past the mapping made when it was shorter.
            _map?.Dispose();
            _map = MemoryMappedFile.CreateFromFile(_stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            _mapLength = length;
        }

        _window?.Dispose();
        _window = new MappedWindow(_map, _position, size);
        return size >= count;
    }

    /// <summary>The file's length now: a file still being written grows.</summary>
    private long CurrentLength() => _stream.Length;

    private bool Fill(int count)
    {
        if (count > MaxWindow)
        {
            return false;
        }

        // Move the unread tail to the front; it is at most one partial record.
        int remaining = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _bufferFileOffset += _start;
            _start = 0;
            _end = remaining;
        }

        if (count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(MaxWindow, Math.Max(count, _buffer.Length * 2)));
        }

        while (_end < count && !_endOfFile)
        {
            _beforeBlockingRead?.Invoke();
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfFile = true;
                break;
            }

            _end += read;
        }

        return _end >= count;
    }
}
