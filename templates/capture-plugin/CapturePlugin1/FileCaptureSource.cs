using System.Threading.Channels;
using Capture.Abstractions;

namespace CapturePlugin1;

/// <summary>
/// Reads one pcap file into pooled batches on a task of its own, then completes its channel
/// (an offline source). A consumer that holds every batch stops the reading: nothing is dropped.
/// </summary>
internal sealed class FileCaptureSource : ICaptureSource
{
    private const int PoolSize = 8;

    // The largest snapshot length libpcap writes; a record beyond it is refused as damaged.
    private const int BufferBytes = 262_144;

    private readonly Channel<CaptureBatch> _batches = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(PoolSize) { SingleWriter = true });
    private readonly Channel<FileBatch> _free = Channel.CreateUnbounded<FileBatch>();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _path;
    private readonly int _batchSize;
    private PcapRecordHeader? _pending;
    private Task? _reading;
    private long _packets;
    private long _bytes;
    private long _errors;
    private int _disposed;

    public FileCaptureSource(string path, int batchSize)
    {
        _path = path;
        _batchSize = batchSize;
        Name = $"{FileCapturePlugin.Name}:{Path.GetFileName(path)}";
        for (int i = 0; i < PoolSize; i++)
        {
            _free.Writer.TryWrite(new FileBatch(this, batchSize, BufferBytes));
        }
    }

    public string Name { get; }

    public string InterfaceName => _path;

    public CaptureCapabilities Capabilities => CaptureCapabilities.Offline;

    public IBypassStrategy? BypassStrategy => null;

    public ChannelReader<CaptureBatch> Batches => _batches.Reader;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_reading is not null)
        {
            throw new InvalidOperationException($"{Name} is already started");
        }

        if (_stop.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        // Open now, so that a missing or foreign file fails the start with its name.
        FileStream stream;
        try
        {
            stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureException($"{Name}: cannot open {_path}: {e.Message}", e);
        }

        PcapFileReader reader;
        try
        {
            reader = new PcapFileReader(stream, _path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        _reading = Task.Run(() => ReadAsync(stream, reader), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reading is not null)
        {
            await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        _batches.Writer.TryComplete();
    }

    public CaptureStatistics GetStatistics() =>
        new(Interlocked.Read(ref _packets), Interlocked.Read(ref _bytes), 0, Interlocked.Read(ref _errors), 0, default);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Dispose();
        }
    }

    internal void Return(FileBatch batch) => _free.Writer.TryWrite(batch);

    private async Task ReadAsync(FileStream stream, PcapFileReader reader)
    {
        Exception? failure = null;
        try
        {
            bool endOfFile = false;
            while (!endOfFile)
            {
                FileBatch batch = await _free.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                try
                {
                    endOfFile = Fill(batch, reader);
                }
                catch (EndOfStreamException)
                {
                    // A capture cut short (the writer was killed): deliver what came before, count it.
                    Interlocked.Increment(ref _errors);
                    endOfFile = true;
                }

                if (batch.Count == 0)
                {
                    Return(batch);
                    continue;
                }

                await _batches.Writer.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
                Interlocked.Add(ref _packets, batch.Count);
                Interlocked.Add(ref _bytes, OriginalBytes(batch));
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: whatever is in the channel stays readable until the consumer drains it.
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Interlocked.Increment(ref _errors);
            failure = new CaptureException($"{Name}: {_path}: {e.Message}", e);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _batches.Writer.TryComplete(failure);
        }
    }

    /// <summary>Fills a batch with the next records; true at the end of the file.</summary>
    private bool Fill(FileBatch batch, PcapFileReader reader)
    {
        batch.Reset();
        while (batch.Count < _batchSize)
        {
            PcapRecordHeader header;
            if (_pending is { } pending)
            {
                header = pending;
                _pending = null;
            }
            else if (!reader.TryReadHeader(out header))
            {
                return true;
            }

            if (!batch.TryAppend(header, reader.LinkType, out Span<byte> data))
            {
                if (batch.Count == 0)
                {
                    throw new InvalidDataException($"a record of {header.CaptureLength} bytes does not fit a {BufferBytes}-byte batch");
                }

                // Full: the record opens the next batch.
                _pending = header;
                return false;
            }

            try
            {
                reader.ReadPacket(data);
            }
            catch (EndOfStreamException)
            {
                batch.RemoveLast();
                throw;
            }
        }

        return false;
    }

    private static long OriginalBytes(FileBatch batch)
    {
        long bytes = 0;
        foreach (PacketRecord record in batch.Packets)
        {
            bytes += record.OriginalLength;
        }

        return bytes;
    }
}
