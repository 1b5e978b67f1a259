using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>
/// One sequence of pcap-log files (log.pcap.&lt;seconds&gt;, ...): the workers' side copies each packet
/// into a chunk and decides, by the bytes it has handed out, where a file ends, so that it knows the
/// file a packet lands in (an alert's <c>capture_file</c>); the writer thread's side writes the chunks
/// through libpcap, starts the files where the records say and removes the oldest past
/// <c>max-files</c>. In <c>mode: normal</c> all workers share one stream and take a lock per packet
/// (as Suricata's normal mode does); in <c>mode: multi</c> each worker has its own, without a lock.
/// </summary>
internal sealed class PcapLogStream
{
    /// <summary>Chunks one stream may hold before packets are dropped (the writer is behind by 8 MiB).</summary>
    public const int MaxChunks = 8;

    private readonly PcapLogOptions _options;
    private readonly LogDirectory _directory;
    private readonly ILogger _logger;
    private readonly Lock? _lock;
    private readonly Action _chunkFull;
    private readonly ConcurrentQueue<PcapLogChunk> _filled = new();
    private readonly ConcurrentQueue<PcapLogChunk> _free = new();
    private readonly ManualResetEventSlim _chunkFreed = new(false);
    private readonly bool _waitWhenBehind;
    private readonly ConcurrentQueue<string> _startedFiles = new();

    // The workers' side.
    private PcapLogChunk? _current;
    private int _position;
    private int _chunks;
    private string? _currentPath;
    private long _fileBytes;
    private LinkType _fileLinkType;
    private long _lastFileSecond = long.MinValue;
    private int _sameSecondFiles;
    private long _dropped;

    // The writer thread's side.
    private readonly Queue<string> _keptFiles = new();
    private PcapLogFile? _file;
    private int _read;
    private long _written;
    private long _lost;

    /// <param name="options">The output's settings.</param>
    /// <param name="directory">The log directory.</param>
    /// <param name="number">The stream's number (1 and up), the <c>%n</c> of a <c>mode: multi</c> file name; 0 in <c>mode: normal</c>.</param>
    /// <param name="shared">Whether several workers write to it (a lock per packet).</param>
    /// <param name="chunkFull">Wakes the writer when a chunk is full.</param>
    /// <param name="waitWhenBehind">
    /// When the writer is <see cref="MaxChunks"/> behind: wait for it (a capture file, which loses
    /// nothing by waiting) rather than drop the packet (a live capture, whose kernel ring would).
    /// </param>
    /// <param name="logger">For file errors.</param>
    public PcapLogStream(PcapLogOptions options, LogDirectory directory, int number, bool shared, Action chunkFull, bool waitWhenBehind, ILogger logger)
    {
        _waitWhenBehind = waitWhenBehind;
        _options = options;
        _directory = directory;
        Number = number;
        _lock = shared ? new Lock() : null;
        _chunkFull = chunkFull;
        _logger = logger;
    }

    public int Number { get; }

    /// <summary>Packets dropped because the writer was behind (all chunks full).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Packets written to files.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Packets lost because their file could not be opened.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>
    /// Queues one packet for writing (a worker's call; copies the bytes, allocates nothing but a file
    /// name when a file starts).
    /// </summary>
    /// <returns>The full path of the file the packet goes to, or null when it was dropped.</returns>
    public string? Write(long timestampNanoseconds, ReadOnlySpan<byte> bytes, int originalLength, LinkType linkType)
    {
        if (_lock is null)
        {
            return Append(timestampNanoseconds, bytes, originalLength, linkType);
        }

        lock (_lock)
        {
            return Append(timestampNanoseconds, bytes, originalLength, linkType);
        }
    }

    /// <summary>Writes what the workers committed (the writer thread's call).</summary>
    /// <returns>Whether anything was written.</returns>
    public bool Drain()
    {
        bool any = false;
        while (_filled.TryPeek(out PcapLogChunk? chunk))
        {
            // Sealed is read before the length: a sealed chunk's length is final.
            bool full = chunk.IsSealed;
            int end = chunk.Committed;
            while (_read < end)
            {
                ReadOnlySpan<byte> data = chunk.Bytes.AsSpan(_read, end - _read);
                PcapLogRecord record = MemoryMarshal.Read<PcapLogRecord>(data);
                if (record.StartsFile != 0)
                {
                    StartFile((LinkType)record.LinkType);
                }

                if (_file is not null)
                {
                    _file.Write(record.TimestampNanoseconds, data.Slice(PcapLogRecord.Size, record.CaptureLength), record.OriginalLength);
                    Volatile.Write(ref _written, _written + 1);
                }
                else
                {
                    Volatile.Write(ref _lost, _lost + 1);
                }

                _read += PcapLogRecord.Footprint(record.CaptureLength);
                any = true;
            }

            if (!full)
            {
                break;
            }

            _ = _filled.TryDequeue(out _);
            _read = 0;
            _free.Enqueue(chunk);
            _chunkFreed.Set();
        }

        return any;
    }

    /// <summary>Closes the open file (the writer thread's call, after the last <see cref="Drain"/>).</summary>
    public void Close()
    {
        _file?.Dispose();
        _file = null;
        _chunkFreed.Dispose();
    }

    private string? Append(long timestampNanoseconds, ReadOnlySpan<byte> bytes, int originalLength, LinkType linkType)
    {
        int footprint = PcapLogRecord.Footprint(bytes.Length);
        Debug.Assert(footprint <= PcapLogChunk.Size, "a chunk holds the largest packet");
        if ((_current is null || _position + footprint > PcapLogChunk.Size) && !NextChunk())
        {
            _dropped++;
            return null;
        }

        long fileBytes = PcapLogFile.RecordHeaderSize + bytes.Length;
        bool startsFile = _currentPath is null || linkType != _fileLinkType
            || (_fileBytes + fileBytes > _options.Limit && _fileBytes > PcapLogFile.HeaderSize);
        if (startsFile)
        {
            // A file has one link type: a packet of another starts the next file.
            string name = NextName(timestampNanoseconds);
            _startedFiles.Enqueue(name);
            _currentPath = _directory.PathOf(name);
            _fileBytes = PcapLogFile.HeaderSize;
            _fileLinkType = linkType;
        }

        _fileBytes += fileBytes;
        Span<byte> target = _current!.Bytes.AsSpan(_position, footprint);
        var record = new PcapLogRecord
        {
            TimestampNanoseconds = timestampNanoseconds,
            CaptureLength = bytes.Length,
            OriginalLength = originalLength,
            LinkType = (ushort)linkType,
            StartsFile = startsFile ? (ushort)1 : (ushort)0,
        };
        MemoryMarshal.Write(target, in record);
        bytes.CopyTo(target[PcapLogRecord.Size..]);
        _position += footprint;
        _current.Commit(_position);
        return _currentPath;
    }

    private bool NextChunk()
    {
        PcapLogChunk? next;
        while (!_free.TryDequeue(out next))
        {
            if (_chunks < MaxChunks)
            {
                // Chunks are made as the writer falls behind, up to the limit, and reused after that.
                next = new PcapLogChunk();
                _chunks++;
                break;
            }

            if (!_waitWhenBehind)
            {
                return false;
            }

            // Reset before looking again, so that a chunk freed after the look still wakes the wait.
            _chunkFreed.Reset();
            if (_free.TryDequeue(out next))
            {
                break;
            }

            _chunkFull();
            _chunkFreed.Wait();
        }

        next.Reset();
        _filled.Enqueue(next);
        PcapLogChunk? previous = _current;
        _current = next;
        _position = 0;
        if (previous is not null)
        {
            previous.Seal();
            _chunkFull();
        }

        return true;
    }

    /// <summary>
    /// Suricata's names: <c>filename.&lt;seconds&gt;</c> in normal mode; in multi mode <c>%n</c> (the
    /// worker's number), <c>%i</c> (the same: workers have no thread ids here) and <c>%t</c> (the
    /// seconds) are replaced, and what is missing of them is appended. The seconds are the first
    /// packet's; a second file in the same second gets <c>.1</c>, <c>.2</c>, ... after them.
    /// </summary>
    private string NextName(long timestampNanoseconds)
    {
        long second = timestampNanoseconds / 1_000_000_000;
        _sameSecondFiles = second == _lastFileSecond ? _sameSecondFiles + 1 : 0;
        _lastFileSecond = second;
        string seconds = _sameSecondFiles == 0
            ? second.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{second}.{_sameSecondFiles}");
        string name = _options.FileName;
        if (_options.Mode == PcapLogMode.Normal)
        {
            return $"{name}.{seconds}";
        }

        string number = Number.ToString(CultureInfo.InvariantCulture);
        bool hasNumber = name.Contains("%n", StringComparison.Ordinal) || name.Contains("%i", StringComparison.Ordinal);
        bool hasTime = name.Contains("%t", StringComparison.Ordinal);
        name = name.Replace("%n", number, StringComparison.Ordinal).Replace("%i", number, StringComparison.Ordinal).Replace("%t", seconds, StringComparison.Ordinal);
        if (!hasNumber)
        {
            name = $"{name}.{number}";
        }

        return hasTime ? name : $"{name}.{seconds}";
    }

    private void StartFile(LinkType linkType)
    {
        _file?.Dispose();
        _file = null;
        bool named = _startedFiles.TryDequeue(out string? name);
        Debug.Assert(named, "every record that starts a file has its name queued before it");
        try
        {
            _file = new PcapLogFile(_directory, name!, _options.FileMode, linkType);
        }
        catch (IOException e)
        {
            PcapLogLog.OpenFailed(_logger, _directory.PathOf(name!), e.Message);
            return;
        }

        _keptFiles.Enqueue(name!);
        while (_options.MaxFiles > 0 && _keptFiles.Count > _options.MaxFiles)
        {
            string oldest = _keptFiles.Dequeue();
            try
            {
                _directory.RemoveFile(oldest);
            }
            catch (IOException e)
            {
                PcapLogLog.RemoveFailed(_logger, _directory.PathOf(oldest), e.Message);
            }
        }
    }
}
