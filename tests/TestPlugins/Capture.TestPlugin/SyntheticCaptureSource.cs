using System.Threading.Channels;
using Capture.Abstractions;

namespace Capture.TestPlugin;

/// <summary>Delivers frames 0..N-1 in batches from a pool of four, then completes.</summary>
internal sealed class SyntheticCaptureSource : ICaptureSource
{
    private const int PoolSize = 4;

    private readonly Channel<CaptureBatch> _batches = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(PoolSize) { SingleReader = true, SingleWriter = true });
    private readonly Channel<SyntheticBatch> _free = Channel.CreateUnbounded<SyntheticBatch>();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _frames;
    private readonly int _batchSize;
    private Task? _producer;
    private long _received;

    public SyntheticCaptureSource(string name, int frames, int batchSize)
    {
        Name = name;
        _frames = frames;
        _batchSize = batchSize;
        for (int i = 0; i < PoolSize; i++)
        {
            _free.Writer.TryWrite(new SyntheticBatch(this, batchSize));
        }
    }

    public string Name { get; }

    public string InterfaceName => Name;

    public CaptureCapabilities Capabilities => CaptureCapabilities.Live;

    public IBypassStrategy? BypassStrategy => null;

    public ChannelReader<CaptureBatch> Batches => _batches.Reader;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _producer = Task.Run(ProduceAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_producer is not null)
        {
            await _producer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        _batches.Writer.TryComplete();
    }

    public CaptureStatistics GetStatistics() =>
        new(Interlocked.Read(ref _received), Interlocked.Read(ref _received) * SyntheticFrames.FrameLength, 0, 0, 0, default);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop.Dispose();
    }

    internal void Return(SyntheticBatch batch) => _free.Writer.TryWrite(batch);

    private async Task ProduceAsync()
    {
        try
        {
            for (long next = 0; next < _frames;)
            {
                SyntheticBatch batch = await _free.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                int count = (int)Math.Min(_batchSize, _frames - next);
                batch.Fill(next, count);
                next += count;
                await _batches.Writer.WriteAsync(batch, _stop.Token).ConfigureAwait(false);
                Interlocked.Add(ref _received, count);
            }

            _batches.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            _batches.Writer.TryComplete();
        }
    }
}
