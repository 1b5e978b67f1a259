using System.Diagnostics;
using System.Threading.Channels;
using Capture.Abstractions;
using Capture.Pcap.Bypass;
using Capture.Pcap.Files;
using Microsoft.Extensions.Logging;

namespace Capture.Pcap.Sources;

/// <summary>
/// One capture file, or every capture file of a directory (sorted by name, read in sequence as one
/// source, like Suricata's <c>-r dir</c>). A reader thread parses records, drops packets of
/// bypassed flows, adds the rest to pooled batches (which refer to the packets in the buffer the
/// file is read into) and writes them to a bounded channel.
/// </summary>
/// <remarks>
/// The software bypass acts at a defined packet, whatever the thread timing and the worker count:
/// the reader decides a packet's fate only once it holds the batch the packet goes into, at most
/// <see cref="DefaultBatchCount"/> batches are out, and the engine works through batches in
/// sequence (every worker gets a part of every batch and runs its flow manager before releasing
/// it). So while a worker holds batch <c>k</c> the reader cannot have started batch
/// <c>k + DefaultBatchCount</c>, and that is where the worker's bypass calls take effect (see
/// <see cref="SoftwareBypassStrategy"/>); the flow's packets in between reach the engine, counted
/// there as in flight, as packets already in a ring do. From a pipe, calls act at once.
/// Read on the engine's worker thread (<see cref="IWorkerThreadCaptureSource"/>), the reader runs
/// the worker where it would wait for a batch, so the same holds.
/// </remarks>
internal sealed class PcapCaptureSource : IWorkerThreadCaptureSource
{
    /// <summary>Batches in the pool.</summary>
    public const int DefaultBatchCount = 4;

    /// <summary>
    /// Packets per batch at most. Small enough that the read-ahead (batches x packets) stays short:
    /// packets already read when a flow is bypassed reach the engine anyway, so a long read-ahead
    /// would delay the software bypass as a large ring would delay XDP's.
    /// </summary>
    public const int DefaultPacketsPerBatch = 64;

    /// <summary>Bytes per batch buffer (more than the largest packet).</summary>
    public const int DefaultBatchBytes = 1 << 20;

    private readonly string _target;
    private readonly bool _isDirectory;
    private readonly PcapFileOptions _options;
    private readonly PacketFlags _packetFlags;
    private readonly ILogger _logger;
    private readonly SoftwareBypassStrategy _bypass;
    private readonly PcapBatchPool _pool;
    private readonly Channel<CaptureBatch> _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action _publishPending;
    private readonly Lock _lifecycle = new();
    private Task? _reader;
    private PcapBatch? _pending;
    private bool _disposed;
    private bool _started;
    private bool _onWorkerThread;
    private long _packets;
    private long _bytes;
    private long _errors;
    private long _unsupported;

    // Records read from every file so far (reader thread only): Suricata's pcap_cnt counts each
    // record it reads, those it drops or cannot decode too, and goes on across a directory's files.
    private long _recordsRead;

    public PcapCaptureSource(
        string target,
        bool isDirectory,
        PcapFileOptions options,
        ChecksumMode checksums,
        ILogger logger,
        int batchCount = DefaultBatchCount,
        int packetsPerBatch = DefaultPacketsPerBatch,
        int batchBytes = DefaultBatchBytes,
        TunnelPorts? tunnels = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBytes, CaptureFileReader.MaxPacketLength);
        _target = target;
        _isDirectory = isDirectory;
        _options = options;
        _logger = logger;

        // "No checksum checks" tells the engine the checksums need no validation.
        ChecksumMode effective = checksums is ChecksumMode.Auto or ChecksumMode.Kernel ? options.ChecksumChecks : checksums;
        _packetFlags = effective == ChecksumMode.None ? PacketFlags.ChecksumVerified : PacketFlags.None;
        _pool = new PcapBatchPool(this, batchCount, packetsPerBatch, batchBytes);
        _bypass = new SoftwareBypassStrategy(options.BypassTableSize, _pool, tunnels);
        _channel = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(batchCount)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _publishPending = PublishPending;
    }

    /// <inheritdoc />
    public string Name => _target;

    /// <inheritdoc />
    public string InterfaceName => _target;

    /// <inheritdoc />
    public CaptureCapabilities Capabilities => CaptureCapabilities.Offline | CaptureCapabilities.Bypass;

    /// <inheritdoc />
    public IBypassStrategy? BypassStrategy => _bypass;

    /// <inheritdoc />
    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException($"{Name}: the capture source is already started");
            }

            if (_stopping.IsCancellationRequested)
            {
                throw new InvalidOperationException($"{Name}: the capture source was stopped; create a new one");
            }

            _started = true;
            if (!_onWorkerThread)
            {
                _reader = Task.Factory.StartNew(ReadAll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public bool PrepareWorkerThreadRead()
    {
        lock (_lifecycle)
        {
            // A file with a size is a regular file: a pipe (or /dev/stdin on one) reports none, and
            // its reads may block, which a worker thread must not do (a stop could not reach it).
            if (_started || _disposed || (!_isDirectory && new FileInfo(_target) is not { Exists: true, Length: > 0 }))
            {
                return false;
            }

            _onWorkerThread = true;
            return true;
        }
    }

    /// <inheritdoc />
    public void ReadOnWorkerThread(Action processOldest)
    {
        ArgumentNullException.ThrowIfNull(processOldest);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lifecycle)
        {
            if (!_onWorkerThread || !_started || _reader is not null)
            {
                throw new InvalidOperationException($"{Name}: ReadOnWorkerThread needs PrepareWorkerThreadRead and StartAsync first, and runs once");
            }

            _reader = done.Task;
        }

        _pool.ProcessInsteadOfWaiting(processOldest);
        try
        {
            ReadAll();
        }
        finally
        {
            _pool.ProcessInsteadOfWaiting(null);
            done.SetResult();
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        // Completing the channel here (not in the reader) makes the stop immediate even when the
        // reader is blocked in a read of a pipe; the reader's next write fails and it ends.
        lock (_lifecycle)
        {
            if (!_disposed)
            {
                _stopping.Cancel();
            }
        }

        _channel.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public CaptureStatistics GetStatistics() => new(
        Interlocked.Read(ref _packets),
        Interlocked.Read(ref _bytes),
        0,
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _unsupported),
        _bypass.GetStatistics());

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? reader;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _stopping.Cancel();
            _disposed = true;
            reader = _reader;
        }

        _channel.Writer.TryComplete();
        if (reader is not null)
        {
            // A regular file ends at once; a pipe read blocks until its writer writes or closes.
            Task finished = await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            if (finished != reader)
            {
                PcapLog.ReaderStillBlocked(_logger, Name);
                return;
            }
        }

        _stopping.Dispose();
    }

    private void ReadAll()
    {
        CancellationToken cancellationToken = _stopping.Token;
        using CancellationTokenRegistration wake = cancellationToken.UnsafeRegister(static pool => ((PcapBatchPool)pool!).WakeWaiters(), _pool);
        _pool.SetReaderActive(true);
        try
        {
            foreach (string file in ResolveFiles())
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                ReadFile(file, cancellationToken);
            }

            PublishPending();
            PcapLog.EndOfCapture(_logger, Name, Interlocked.Read(ref _packets), Interlocked.Read(ref _unsupported), Interlocked.Read(ref _errors));
            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _channel.Writer.TryComplete();
        }
        catch (Exception ex) when (ex is CaptureException or IOException or UnauthorizedAccessException)
        {
            CaptureException failure = ex as CaptureException ?? new CaptureException($"{Name}: cannot read the capture: {ex.Message}", ex);
            Interlocked.Increment(ref _errors);
            PcapLog.CaptureFailed(_logger, Name, failure.Message);
            try
            {
                // Deliver what was read before the failure, then fail the channel.
                PublishPending();
            }
            catch (OperationCanceledException)
            {
            }

            _channel.Writer.TryComplete(failure);
        }
#pragma warning disable CA1031 // Any other failure of the reader thread must still end the channel, or the engine waits forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _errors);
            var failure = new CaptureException($"{Name}: the reader failed: {ex.GetType().Name}: {ex.Message}", ex);
            PcapLog.CaptureFailed(_logger, Name, failure.Message);
            _channel.Writer.TryComplete(failure);
        }
        finally
        {
            _pool.SetReaderActive(false);
            if (_pending is { } pending)
            {
                _pending = null;
                pending.Reset();
                _pool.Return(pending);
            }
        }
    }

    private List<string> ResolveFiles()
    {
        if (!_isDirectory)
        {
            return [_target];
        }

        string[] entries;
        try
        {
            entries = Directory.GetFiles(_target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException($"{_target}: cannot list the capture directory: {ex.Message}", ex);
        }

        Array.Sort(entries, StringComparer.Ordinal);
        var files = new List<string>(entries.Length);
        foreach (string entry in entries)
        {
            if (CaptureFileReader.LooksLikeCaptureFile(entry))
            {
                files.Add(entry);
            }
            else
            {
                PcapLog.NotACaptureFile(_logger, Name, entry);
            }
        }

        if (files.Count == 0)
        {
            throw new CaptureException($"{_target}: the directory holds no pcap or pcapng file");
        }

        return files;
    }

    private void ReadFile(string file, CancellationToken cancellationToken)
    {
        CaptureFileReader reader;
        try
        {
            reader = CaptureFileReader.Open(file, _options.BufferSize, _publishPending);
        }
        catch (CaptureException ex) when (_isDirectory)
        {
            // One bad file of a directory does not end the run; it is logged and counted.
            Interlocked.Increment(ref _errors);
            PcapLog.FileFailed(_logger, Name, ex.Message);
            return;
        }

        using (reader)
        {
            PcapLog.FileOpened(_logger, Name, file, reader.Format);
            if (!reader.IsSeekable)
            {
                _pool.ActsAtDefinedBatch = false;
            }

            FileRecord record = default;
            long records = 0;
            uint lastUnsupported = uint.MaxValue;
            while (!cancellationToken.IsCancellationRequested)
            {
                RecordStatus status = reader.ReadNext(ref record, out ReadOnlySpan<byte> data);
                if (status != RecordStatus.Packet)
                {
                    if (status != RecordStatus.EndOfFile)
                    {
                        Interlocked.Increment(ref _errors);
                        PcapLog.FileDamaged(_logger, file, status == RecordStatus.Truncated ? "truncated record" : "corrupt record", reader.ProblemOffset, reader.ProblemDetail, records);
                    }

                    return;
                }

                records++;
                _recordsRead++;
                if (!LinkTypes.IsSupported(record.LinkType))
                {
                    Interlocked.Increment(ref _unsupported);
                    if (record.LinkType != lastUnsupported)
                    {
                        lastUnsupported = record.LinkType;
                        PcapLog.UnsupportedLinkType(_logger, file, record.LinkType);
                    }

                    continue;
                }

                // The batch the packet would go into is taken before the bypass decision, which
                // depends on that batch's sequence (see the class remarks).
                var linkType = (LinkType)record.LinkType;
                PcapBatch batch = _pending ??= _pool.Rent(cancellationToken);
                if (!batch.HasRoom(data.Length))
                {
                    PublishPending();
                    batch = _pending = _pool.Rent(cancellationToken);
                }

                if (_bypass.HasEntries && _bypass.TryDrop(linkType, data, 0, _packetFlags, record.OriginalLength, record.TimestampNanoseconds, batch.Sequence))
                {
                    continue;
                }

                bool added = batch.TryAdd(in record, linkType, _packetFlags, data, _recordsRead <= uint.MaxValue ? (uint)_recordsRead : 0, reader.Chunk);
                Debug.Assert(added, "HasRoom said the packet fits");
            }
        }
    }

    /// <summary>Hands the batch being filled to the engine (reader thread only).</summary>
    private void PublishPending()
    {
        PcapBatch? batch = _pending;
        if (batch is null || batch.Count == 0)
        {
            return;
        }

        _pending = null;
        int count = batch.Count;
        long bytes = batch.WireBytes;
        long sequence = batch.Sequence;
        batch.MarkLeased();
        if (!_channel.Writer.TryWrite(batch))
        {
            // Only a stop completes the channel early; the pool bounds what is in flight, so it is never full.
            batch.Release();
            throw new OperationCanceledException($"{Name}: the capture was stopped", _stopping.Token);
        }

        Interlocked.Add(ref _packets, count);
        Interlocked.Add(ref _bytes, bytes);
        _pool.Published(sequence);
    }
}
