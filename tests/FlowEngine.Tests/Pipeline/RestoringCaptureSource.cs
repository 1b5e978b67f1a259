using System.Threading.Channels;
using Capture.Abstractions;
using FlowEngine.Tests.Flows;

namespace FlowEngine.Tests.Pipeline;

/// <summary>
/// A live in-memory capture whose bypass table survived an earlier run: it hands the engine the
/// flows of that table once (<see cref="IRestoredBypassSource"/>) and its strategy adopts them.
/// Packets go through <see cref="MemoryCaptureSource"/>; the test drops bypassed ones itself.
/// </summary>
internal sealed class RestoringCaptureSource(string name, InMemoryBypassStrategy strategy, IReadOnlyList<RestoredBypassedFlow> restored)
    : ICaptureSource, IRestoredBypassSource
{
    private readonly MemoryCaptureSource _inner = new(name, CaptureCapabilities.Live | CaptureCapabilities.Bypass, null, batchSize: 1);
    private IReadOnlyList<RestoredBypassedFlow>? _restored = restored;

    public string Name => _inner.Name;

    public string InterfaceName => _inner.InterfaceName;

    public CaptureCapabilities Capabilities => _inner.Capabilities;

    public IBypassStrategy? BypassStrategy => strategy;

    public ChannelReader<CaptureBatch> Batches => _inner.Batches;

    public int Takes { get; private set; }

    public void Add(IEnumerable<TestFrame> frames) => _inner.Add(frames);

    public IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows()
    {
        Takes++;
        return Interlocked.Exchange(ref _restored, null) ?? [];
    }

    public void Adopt(in RestoredBypassedFlow flow, BypassRecord record) => strategy.Adopt(in flow, record);

    public Task StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _inner.StopAsync(cancellationToken);

    public CaptureStatistics GetStatistics() => _inner.GetStatistics() with { Bypass = strategy.GetStatistics() };

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
