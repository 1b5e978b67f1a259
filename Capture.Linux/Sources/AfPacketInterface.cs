using Capture.Linux.Bypass;
using Capture.Abstractions;

namespace Capture.Linux.Sources;

/// <summary>
/// The sources of one interface and what they share: the kernel bypass. The filter comes off the
/// interface when the last started source stops; the maps go when every source is disposed.
/// </summary>
internal sealed class AfPacketInterface
{
    private readonly IInterfaceBypass? _bypass;
    private readonly int _sourceCount;
    private int _running;
    private int _disposed;
    private int _detached;

    public AfPacketInterface(string name, int sourceCount, IInterfaceBypass? bypass)
    {
        Name = name;
        _sourceCount = sourceCount;
        _bypass = bypass;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The shared strategy, or null without <c>bypass: yes</c>.</summary>
    public IBypassStrategy? BypassStrategy => _bypass?.Strategy;

    /// <summary>The interface's restored flows (take-once; empty without pinned maps or bypass).</summary>
    public IReadOnlyList<RestoredBypassedFlow> TakeRestoredFlows() => _bypass?.TakeRestoredFlows() ?? [];

    /// <summary>Hands a restored flow recreated by the engine to the interface's strategy.</summary>
    public void Adopt(in RestoredBypassedFlow flow, BypassRecord record)
    {
        if (_bypass is null)
        {
            throw new InvalidOperationException($"{Name}: no kernel bypass to adopt a restored flow");
        }

        _bypass.Adopt(in flow, record);
    }

    public void SourceStarted() => Interlocked.Increment(ref _running);

    public void SourceStopped()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            Detach();
        }
    }

    public void SourceDisposed()
    {
        if (Interlocked.Increment(ref _disposed) == _sourceCount)
        {
            Detach();
            _bypass?.Dispose();
        }
    }

    private void Detach()
    {
        if (Interlocked.Exchange(ref _detached, 1) == 0)
        {
            _bypass?.Detach();
        }
    }
}
