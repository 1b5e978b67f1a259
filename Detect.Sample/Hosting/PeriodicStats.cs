using System.Runtime.ExceptionServices;

namespace Detect.Sample.Hosting;

/// <summary>
/// Writes the periodic EVE stats event from a timer's callback until stopped. Once
/// <see cref="Stop"/> returns, no write is under way and none follows, so the caller's final
/// stats event is the last. A callback rather than an awaited loop: the loop's state machine was
/// JIT compiled at every start (ReadyToRun images cannot hold it).
/// </summary>
internal sealed class PeriodicStats : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Action _write;
    private readonly ITimer _timer;
    private bool _stopped;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts writing every <paramref name="interval"/>, the first after one interval.</summary>
    public PeriodicStats(TimeProvider clock, TimeSpan interval, Action write)
    {
        _write = write;
        _timer = clock.CreateTimer(static state => ((PeriodicStats)state!).Tick(), this, interval, interval);
    }

    /// <summary>Stops the writes (idempotent; also from a stop signal's callback).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _timer.Dispose();
    }

    /// <summary>Stops, and rethrows what a write threw: the run then fails as it would have had the write been its own.</summary>
    public void Dispose()
    {
        Stop();
        _failure?.Throw();
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            try
            {
                _write();
            }
#pragma warning disable CA1031 // Kept for Dispose to rethrow on the run's thread; a timer thread's exception would end the process.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _failure = ExceptionDispatchInfo.Capture(e);
                _stopped = true;
            }
        }
    }
}
