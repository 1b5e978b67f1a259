using System.Threading.Channels;
using Capture.Abstractions;

namespace FlowEngine.Pipeline;

/// <summary>
/// What a <see cref="BatchWorker"/>'s worker sees as its source: an offline capture (its packets'
/// times run the flow manager) whose batches the caller hands in directly, so its channel is never read.
/// </summary>
internal sealed class CallerFedSource(string interfaceName, IBypassStrategy? strategy) : ICaptureSource
{
    private static readonly ChannelReader<CaptureBatch> NoBatches = CreateCompleted();

    public string Name => interfaceName;

    public string InterfaceName => interfaceName;

    public CaptureCapabilities Capabilities => CaptureCapabilities.Offline | (strategy is null ? CaptureCapabilities.None : CaptureCapabilities.Bypass);

    public IBypassStrategy? BypassStrategy => strategy;

    public ChannelReader<CaptureBatch> Batches => NoBatches;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public CaptureStatistics GetStatistics() => default;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static ChannelReader<CaptureBatch> CreateCompleted()
    {
        Channel<CaptureBatch> channel = Channel.CreateUnbounded<CaptureBatch>();
        channel.Writer.Complete();
        return channel.Reader;
    }
}
