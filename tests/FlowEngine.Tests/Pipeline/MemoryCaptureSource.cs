using System.Threading.Channels;
using Capture.Abstractions;
using FlowEngine.Tests.Flows;

namespace FlowEngine.Tests.Pipeline;

/// <summary>
/// A capture source over frames held in memory: batches of a few packets, pooled buffers, the
/// bypass filter applied when a frame is "captured" (when its batch is produced), as a capture with
/// a software bypass does. A producer task writes into a small bounded channel, so some packets of a
/// freshly bypassed flow are already in flight — the ring race the engine must count correctly.
/// </summary>
internal sealed class MemoryCaptureSource : ICaptureSource
{
    private readonly Channel<CaptureBatch> _channel = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
    private readonly Channel<TestFrame> _input = Channel.CreateUnbounded<TestFrame>();
    private readonly InMemoryBypassStrategy? _strategy;
    private readonly int _batchSize;
    private Task _producer = Task.CompletedTask;
    private long _released;
    private long _produced;
    private long _packets;
    private long _bytes;

    public MemoryCaptureSource(string name, CaptureCapabilities capabilities, InMemoryBypassStrategy? strategy, int batchSize = 4)
    {
        Name = name;
        Capabilities = capabilities;
        _strategy = strategy;
        _batchSize = batchSize;
    }

    public string Name { get; }

    public string InterfaceName => Name;

    public CaptureCapabilities Capabilities { get; }

    public IBypassStrategy? BypassStrategy => _strategy;

    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    public bool Stopped { get; private set; }

    public long Produced => Interlocked.Read(ref _produced);

    public long Released => Interlocked.Read(ref _released);

    /// <summary>Runs when a batch is released, on the worker's thread (after processing, before its next step).</summary>
    public Action? OnRelease { get; set; }

    public void Add(IEnumerable<TestFrame> frames)
    {
        foreach (TestFrame frame in frames)
        {
            _input.Writer.TryWrite(frame);
        }
    }

    /// <summary>No more frames: the channel completes once they are delivered (end of an offline capture).</summary>
    public void Complete() => _input.Writer.TryComplete();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _producer = Task.Run(ProduceAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Stopped = true;
        _input.Writer.TryComplete();
        await _producer.ConfigureAwait(false);
    }

    public CaptureStatistics GetStatistics() =>
        new(Interlocked.Read(ref _packets), Interlocked.Read(ref _bytes), 0, 0, 0, _strategy?.GetStatistics() ?? default);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task ProduceAsync()
    {
        List<TestFrame> pending = [];
        try
        {
            while (await _input.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (pending.Count < _batchSize && _input.Reader.TryRead(out TestFrame? frame))
                {
                    if (Stopped)
                    {
                        continue;
                    }

                    if (_strategy is not null && _strategy.Filter(frame.Tuple, frame.Bytes.Length))
                    {
                        continue;
                    }

                    pending.Add(frame);
                }

                if (pending.Count > 0 && !Stopped)
                {
                    await _channel.Writer.WriteAsync(MakeBatch(pending)).ConfigureAwait(false);
                }

                pending.Clear();
            }
        }
        finally
        {
            _channel.Writer.TryComplete();
        }
    }

    private MemoryBatch MakeBatch(List<TestFrame> frames)
    {
        int total = frames.Sum(f => f.Bytes.Length);
        byte[] buffer = new byte[total + 64];
        PacketRecord[] records = new PacketRecord[frames.Count];
        int offset = 0;
        for (int i = 0; i < frames.Count; i++)
        {
            TestFrame f = frames[i];
            f.Bytes.CopyTo(buffer, offset);
            records[i] = new PacketRecord
            {
                TimestampNanoseconds = f.TimestampNanoseconds,
                Offset = offset,
                CaptureLength = f.Bytes.Length,
                OriginalLength = f.OriginalLength > 0 ? f.OriginalLength : f.Bytes.Length,
                LinkType = f.LinkType,
            };
            offset += f.Bytes.Length;
            Interlocked.Increment(ref _packets);
            Interlocked.Add(ref _bytes, records[i].OriginalLength);
        }

        Interlocked.Increment(ref _produced);
        return new MemoryBatch(this, buffer, records);
    }

    private sealed class MemoryBatch(MemoryCaptureSource source, byte[] buffer, PacketRecord[] records) : CaptureBatch
    {
        private int _released;

        public override ReadOnlySpan<PacketRecord> Packets => records;

        public override ReadOnlySpan<byte> Buffer => buffer;

        public override ICaptureSource Source => source;

        public override void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                throw new InvalidOperationException("batch released twice");
            }

            Interlocked.Increment(ref source._released);
            source.OnRelease?.Invoke();
        }
    }
}
