namespace Capture.Pcap.Files;

/// <summary>
/// A window over one capture file: large reads into one buffer, records parsed in place. Works on
/// regular files and on pipes (FIFOs, <c>/dev/stdin</c>), which cannot seek and whose reads block.
/// Batches may refer to packets in the buffer (<see cref="Chunk"/>): while one does, the window moves
/// on into another buffer, so the bytes it refers to stay as they were.
/// </summary>
internal sealed class CaptureFileInput : IDisposable
{
    /// <summary>The window never grows beyond this: no record we parse in place is larger.</summary>
    public const int MaxWindow = 64 << 20;

    private readonly FileStream _stream;
    private readonly Action? _beforeBlockingRead;

    // Buffers read into before, kept for when the batches holding them are done with them.
    private readonly List<ReadChunk> _spares = [];
    private ReadChunk _chunk;
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
        _chunk = new ReadChunk(bufferSize);
        _buffer = _chunk.Bytes;
        IsSeekable = stream.CanSeek;
        _beforeBlockingRead = IsSeekable ? null : beforeBlockingRead;
    }

    /// <summary>Whether the input is a regular file (not a pipe).</summary>
    public bool IsSeekable { get; }

    /// <summary>File offset of the first unread byte.</summary>
    public long Position => _bufferFileOffset + _start;

    /// <summary>Bytes in the window.</summary>
    public int Available => _end - _start;

    /// <summary>
    /// The buffer the window is in now. A batch that holds it may refer to its bytes past the next
    /// <see cref="Ensure"/>: they are not read into again until every holder has let it go.
    /// </summary>
    public ReadChunk Chunk => _chunk;

    /// <summary>The unread bytes in the window; valid until the next <see cref="Ensure"/> or <see cref="Skip"/>.</summary>
    public ReadOnlySpan<byte> Span => new(_buffer, _start, _end - _start);

    /// <summary>Makes at least <paramref name="count"/> bytes available; false at end of file.</summary>
    /// <param name="count">Bytes needed (at most <see cref="MaxWindow"/>).</param>
    /// <returns>True when they are there.</returns>
    public bool Ensure(int count) => _end - _start >= count || Fill(count);

    /// <summary>Consumes bytes of the window.</summary>
    /// <param name="count">At most <see cref="Available"/>.</param>
    public void Advance(int count) => _start += count;

    /// <summary>Skips bytes, beyond the window when needed (seeking where the file can).</summary>
    /// <param name="count">Bytes to skip.</param>
    /// <returns>False when the file ended first.</returns>
    public bool Skip(long count)
    {
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
    public void Dispose() => _stream.Dispose();

    private bool Fill(int count)
    {
        if (count > MaxWindow)
        {
            return false;
        }

        int length = count > _buffer.Length ? Math.Min(MaxWindow, Math.Max(count, _buffer.Length * 2)) : _buffer.Length;
        if (_chunk.IsHeld)
        {
            // Batches refer to bytes before the window: read on behind it while the record fits
            // there, else move the unread tail (at most one partial record) to another buffer.
            if (count > _buffer.Length - _start)
            {
                MoveTo(TakeChunk(length));
            }
        }
        else if (length > _buffer.Length)
        {
            MoveTo(new ReadChunk(length));
        }
        else if (_start > 0)
        {
            // Move the unread tail to the front.
            int remaining = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _bufferFileOffset += _start;
            _start = 0;
            _end = remaining;
        }

        while (_end - _start < count && !_endOfFile)
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

        return _end - _start >= count;
    }

    /// <summary>Moves the window's unread bytes to the front of <paramref name="next"/>, which the window is in from now on.</summary>
    private void MoveTo(ReadChunk next)
    {
        int remaining = _end - _start;
        Buffer.BlockCopy(_buffer, _start, next.Bytes, 0, remaining);
        if (_chunk.IsHeld)
        {
            _spares.Add(_chunk);
        }

        _chunk = next;
        _buffer = next.Bytes;
        _bufferFileOffset += _start;
        _start = 0;
        _end = remaining;
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes no batch holds: a spare one, or a new one.</summary>
    private ReadChunk TakeChunk(int length)
    {
        // At most one spare per batch out: a short walk.
        for (int i = 0; i < _spares.Count; i++)
        {
            ReadChunk spare = _spares[i];
            if (spare.Bytes.Length >= length && !spare.IsHeld)
            {
                _spares.RemoveAt(i);
                return spare;
            }
        }

        return new ReadChunk(length);
    }
}
