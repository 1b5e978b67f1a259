using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Capture.Pcap.Files;

/// <summary>
/// A window over capture files read in sequence: large reads into one <see cref="ReadChunk"/>,
/// records parsed in place. Works on regular files and on pipes (FIFOs, <c>/dev/stdin</c>), which
/// cannot seek and whose reads block. Batches may keep pointing into a chunk the window has left
/// (see <see cref="Reserved"/>); the window only ever writes past its end, or moves bytes in place
/// when nobody else holds the chunk.
/// </summary>
internal sealed class CaptureFileInput : IDisposable
{
    /// <summary>The window never grows beyond this: no record we parse in place is larger.</summary>
    public const int MaxWindow = 64 << 20;

    private readonly ReadChunkPool _chunks;
    private readonly Action? _beforeBlockingRead;
    private FileStream? _stream;
    private ReadChunk _chunk;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferFileOffset;
    private bool _endOfFile;

    /// <summary>Opens one file for sequential reading, with a buffer of its own.</summary>
    /// <param name="stream">The open file (unbuffered: this class buffers).</param>
    /// <param name="bufferSize">Bytes per read.</param>
    /// <param name="beforeBlockingRead">Called before a read on a pipe, which may block until the writer writes.</param>
    public CaptureFileInput(FileStream stream, int bufferSize, Action? beforeBlockingRead)
        : this(new ReadChunkPool(bufferSize, 1), beforeBlockingRead) => Begin(stream);

    /// <summary>A window for the files of one source, its chunks taken from <paramref name="chunks"/>; see <see cref="Begin"/>.</summary>
    /// <param name="chunks">The source's chunks.</param>
    /// <param name="beforeBlockingRead">Called before a read on a pipe, which may block until the writer writes.</param>
    public CaptureFileInput(ReadChunkPool chunks, Action? beforeBlockingRead)
    {
        _chunks = chunks;
        _beforeBlockingRead = beforeBlockingRead;
        _chunk = chunks.Rent(chunks.ChunkBytes);
        _buffer = _chunk.Bytes;
    }

    /// <summary>Whether the input is a regular file (not a pipe).</summary>
    public bool IsSeekable { get; private set; }

    /// <summary>File offset of the first unread byte.</summary>
    public long Position => _bufferFileOffset + _start;

    /// <summary>Bytes in the window.</summary>
    public int Available => _end - _start;

    /// <summary>The unread bytes in the window; valid until the next <see cref="Ensure"/> or <see cref="Skip"/>.</summary>
    public ReadOnlySpan<byte> Span => new(_buffer, _start, _end - _start);

    /// <summary>The chunk the window is in.</summary>
    public ReadChunk Chunk => _chunk;

    /// <summary>
    /// Bytes a batch being filled holds in the window's chunk (0 when none): when the window moves
    /// to another chunk they are kept, <see cref="Relocating"/> copies them to its front.
    /// </summary>
    public int Reserved { get; set; }

    /// <summary>Called with the next chunk when the window moves on while <see cref="Reserved"/> is not 0.</summary>
    public Action<ReadChunk>? Relocating { get; set; }

    /// <summary>Starts reading another file at the window's position; what was left unread of the last one is dropped.</summary>
    /// <param name="stream">The open file (unbuffered).</param>
    public void Begin(FileStream stream)
    {
        _stream = stream;
        IsSeekable = stream.CanSeek;
        _endOfFile = false;
        _end = _start;
        _bufferFileOffset = -_start;
    }

    /// <summary>Closes the current file; the window and its chunk stay for the next.</summary>
    public void EndFile()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>Where <paramref name="data"/>, bytes of the chunk up to the window's end (a record just read), start in it.</summary>
    /// <param name="data">Bytes of the chunk.</param>
    /// <returns>The offset in <see cref="ReadChunk.Bytes"/>.</returns>
    public int OffsetOf(ReadOnlySpan<byte> data)
    {
        int offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_buffer), ref MemoryMarshal.GetReference(data));
        Debug.Assert(offset >= 0 && offset + data.Length <= _end, "the bytes are in the chunk, below the window's end");
        return offset;
    }

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

        // The window is consumed; reading goes on at its end, so the bytes before it stay.
        count -= _end - _start;
        _start = _end;
        FileStream stream = _stream!;
        if (IsSeekable)
        {
            long target = Position + count;
            if (target > stream.Length)
            {
                stream.Position = stream.Length;
                _bufferFileOffset = stream.Length - _end;
                _endOfFile = true;
                return false;
            }

            stream.Position = target;
            _bufferFileOffset = target - _end;
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
        EndFile();
        _chunk.Release();
    }

    private bool Fill(int count)
    {
        if (count > MaxWindow)
        {
            return false;
        }

        int remaining = _end - _start;
        int reserved = Reserved;
        if (reserved == 0 && _chunk.IsExclusive && count <= _buffer.Length)
        {
            // Nobody else points into the chunk: move the unread tail (at most one partial record) to the front.
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
                _bufferFileOffset += _start;
                _start = 0;
                _end = remaining;
            }
        }
        else if (_start + count > _buffer.Length)
        {
            // Batches point into this chunk: carry the tail (and the batch being filled) to another.
            ReadChunk next = _chunks.Rent(Math.Max(_chunks.ChunkBytes, reserved + count));
            if (reserved > 0)
            {
                Relocating!(next);
            }

            Buffer.BlockCopy(_buffer, _start, next.Bytes, reserved, remaining);
            _chunk.Release();
            _chunk = next;
            _buffer = next.Bytes;
            _bufferFileOffset += _start - reserved;
            _start = reserved;
            _end = reserved + remaining;
        }

        FileStream stream = _stream!;
        while (_end < count + _start && !_endOfFile)
        {
            if (!IsSeekable)
            {
                _beforeBlockingRead?.Invoke();
            }

            int read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfFile = true;
                break;
            }

            _end += read;
        }

        return _end - _start >= count;
    }
}
