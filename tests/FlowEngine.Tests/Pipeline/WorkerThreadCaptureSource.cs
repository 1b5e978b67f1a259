using System.Threading.Channels;
using Capture.Abstractions;

namespace FlowEngine.Tests.Pipeline;

/// <summary>
/// An offline source over frames held in memory that the engine's worker reads on its own thread
/// (<see cref="IWorkerThreadCaptureSource"/>): a fixed number of batches out at a time, and where a
/// reader thread would wait for one to come back it calls the engine instead.
/// </summary>
internal sealed class WorkerThreadCaptureSource(IReadOnlyList<TestFrame> frames, int batchSize = 4, int poolSize = 3) : IWorkerThreadCaptureSource
{
    private readonly Channel<CaptureBatch> _channel = Channel.CreateUnbounded<CaptureBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private int _out;
    private volatile bool _stopped;

    public string Name => "worker-thread";

    public string InterfaceName => Name;

    public CaptureCapabilities Capabilities => CaptureCapabilities.Offline;

    public IBypassStrategy? BypassStrategy => null;

    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    /// <summary>The thread that read the capture, or 0 before.</summary>
    public int ReaderThread { get; private set; }

    /// <summary>The threads the batches were released on.</summary>
    public HashSet<int> ReleaseThreads { get; } = [];

    /// <summary>Most batches out at once.</summary>
    public int MostOut { get; private set; }

    public bool PrepareWorkerThreadRead() => true;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        return Task.CompletedTask;
    }

    public void ReadOnWorkerThread(Action processOldest)
    {
        ReaderThread = Environment.CurrentManagedThreadId;
        try
        {
            for (int start = 0; start < frames.Count && !_stopped; start += batchSize)
            {
                while (_out == poolSize && !_stopped)
                {
                    processOldest();
                    if (_out == poolSize && !_stopped)
                    {
                        throw new InvalidOperationException("the engine released no batch");
                    }
                }

                _out++;
                MostOut = Math.Max(MostOut, _out);
                _channel.Writer.TryWrite(MakeBatch(start, Math.Min(batchSize, frames.Count - start)));
            }
        }
        finally
        {
            _channel.Writer.TryComplete();
        }
    }

    public CaptureStatistics GetStatistics() => new(frames.Count, frames.Sum(f => (long)f.Bytes.Length), 0, 0, 0, default);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Batch MakeBatch(int start, int count)
    {
        byte[] buffer = new byte[frames.Skip(start).Take(count).Sum(f => f.Bytes.Length)];
        var records = new PacketRecord[count];
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            TestFrame frame = frames[start + i];
            frame.Bytes.CopyTo(buffer, offset);
            records[i] = new PacketRecord
            {
                TimestampNanoseconds = frame.TimestampNanoseconds,
                Offset = offset,
                CaptureLength = frame.Bytes.Length,
                OriginalLength = frame.Bytes.Length,
                LinkType = frame.LinkType,
            };
            offset += frame.Bytes.Length;
        }

        return new Batch(this, buffer, records);
    }

    private sealed class Batch(WorkerThreadCaptureSource source, byte[] buffer, PacketRecord[] records) : CaptureBatch
    {
        public override ReadOnlySpan<PacketRecord> Packets => records;

        public override ReadOnlySpan<byte> Buffer => buffer;

        public override ICaptureSource Source => source;

        public override void Release()
        {
            source.ReleaseThreads.Add(Environment.CurrentManagedThreadId);
            source._out--;
        }
    }
}
