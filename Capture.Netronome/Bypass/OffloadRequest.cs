using System.Diagnostics;
using Capture.Abstractions;

namespace Capture.Netronome.Bypass;

/// <summary>
/// One request to the bypass manager thread and its answer. A waiting worker that gives up
/// abandons a request the manager has not taken yet, so an abandoned insert never happens; one
/// the manager already took is always waited for, so an insert is never left without an owner.
/// </summary>
internal sealed class OffloadRequest : IDisposable
{
    private const int Pending = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private readonly ManualResetEventSlim _done = new(false);
    private int _status;

    public OffloadRequest(OffloadRequestKind kind, OffloadBypassStrategy strategy, in FlowTuple flow, OffloadFlowState? state)
    {
        Kind = kind;
        Strategy = strategy;
        Flow = flow;
        State = state;
        EnqueuedAt = Stopwatch.GetTimestamp();
    }

    public OffloadRequestKind Kind { get; }

    public OffloadBypassStrategy Strategy { get; }

    public FlowTuple Flow { get; }

    /// <summary>The flow's state: given for a release, produced by a successful insert.</summary>
    public OffloadFlowState? State { get; set; }

    public long EnqueuedAt { get; }

    public BypassOutcome Outcome { get; private set; }

    /// <summary>The manager takes the request; false when the waiter gave up on it.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _status, Taken, Pending) == Pending;

    /// <summary>The waiter gives up; false when the manager already took it (then wait for its answer).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _status, Abandoned, Pending) == Pending;

    public void Complete(BypassOutcome outcome)
    {
        Outcome = outcome;
        _done.Set();
    }

    public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

    public void Wait() => _done.Wait();

    public void Dispose() => _done.Dispose();
}
