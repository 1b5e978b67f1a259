using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Netronome.Bypass;

/// <summary>
/// The one bypass-manager thread of the plugin (<see cref="ThreadName"/>), however many interfaces
/// and capture threads: every operation on the shared flow maps happens here, because inserting
/// into a NIC's table is slow and the NIC is best driven by one thread.
/// <list type="bullet">
/// <item>Inserts from workers come through a bounded queue; a worker waits up to
/// <see cref="OffloadManagerOptions.AnswerTimeout"/> for an insert that has not started, and
/// always for one that has: <c>TryBypass</c> succeeds only once both halves are in the map.</item>
/// <item>Releases come through a control queue served first; the caller waits (final counters are
/// read just before the entries are deleted, so no counted packet is lost).</item>
/// <item>Every <see cref="OffloadManagerOptions.PollInterval"/>, or when a liveness check asks, the
/// maps are read in batches and each flow's totals stored; <c>SeenSince</c> answers from them.</item>
/// </list>
/// Shared by the whole plugin: the first interface starts it, the last one stops it.
/// </summary>
internal sealed class OffloadBypassManager : IDisposable
{
    /// <summary>The thread's name (the kernel's comm shows its first 15 characters).</summary>
    public const string ThreadName = "netronome-bypass";

    /// <summary>The meter queue depth, insert latency and failures are published on.</summary>
    public const string MeterName = "Capture.Netronome";

    private static readonly Lock s_sharedGate = new();
    private static OffloadBypassManager? s_shared;
    private static int s_leases;

    private readonly OffloadManagerOptions _settings;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<OffloadRequest> _inserts = new();
    private readonly ConcurrentQueue<OffloadRequest> _control = new();
    private readonly AutoResetEvent _signal = new(false);
    private readonly Lock _gate = new();
    private readonly object _pollMonitor = new();
    private readonly List<OffloadBypassStrategy> _interfaces = [];
    private readonly Meter _meter;
    private readonly Histogram<double> _insertDuration;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _failures;
    private readonly Thread _thread;
    private bool _stopping;
    private bool _started;
    private int _depth;
    private int _pollRequested;
    private long _pollsStarted;
    private long _pollsCompleted;
    private long _completedPollStartedAt;
    private long _lastPollTicks;
    private long _inserted;
    private long _failedTableFull;
    private long _failedUnsupported;
    private long _failedError;
    private long _failedQueueFull;
    private long _failedTimeout;
    private long _releases;
    private long _insertTicks;
    private long _maxInsertTicks;
    private long _maxQueueTicks;

    /// <summary>A manager of its own (the plugin uses <see cref="Acquire"/>); a thread name other than <see cref="ThreadName"/> keeps it apart from the plugin's in thread listings.</summary>
    internal OffloadBypassManager(OffloadManagerOptions settings, ILogger logger, string threadName = ThreadName)
    {
        _settings = settings;
        _logger = logger;
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("netronome.bypass.queue.depth", () => Volatile.Read(ref _depth), "{request}", "Inserts waiting for the bypass manager");
        _insertDuration = _meter.CreateHistogram<double>("netronome.bypass.insert.duration", "ms", "Time of one flow insert (both halves) on the bypass manager thread");
        _queueWait = _meter.CreateHistogram<double>("netronome.bypass.queue.wait", "ms", "Time an insert waited in the queue");
        _failures = _meter.CreateCounter<long>("netronome.bypass.insert.failures", "{flow}", "Bypass requests that failed, by reason");
        _meter.CreateObservableCounter("netronome.bypass.inserted", () => Interlocked.Read(ref _inserted), "{flow}", "Flows inserted into the shared maps");
        _meter.CreateObservableCounter("netronome.bypass.polls", () => Interlocked.Read(ref _pollsCompleted), "{poll}", "Batch reads of the shared maps");
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
    }

    /// <summary>Polls started so far; a liveness check needs one numbered higher than when it last looked.</summary>
    public long PollsStarted => Interlocked.Read(ref _pollsStarted);

    /// <summary>The thread's managed id (for tests).</summary>
    internal int ManagedThreadId => _thread.ManagedThreadId;

    /// <summary>The plugin's manager, started by the first caller; give it back with <see cref="ReleaseLease"/>.</summary>
    public static OffloadBypassManager Acquire(ILoggerFactory? loggerFactory)
    {
        lock (s_sharedGate)
        {
            if (s_shared is null)
            {
                ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Capture.Netronome.Bypass");
                s_shared = new OffloadBypassManager(new OffloadManagerOptions(), logger);
                s_shared.Start();
            }

            s_leases++;
            return s_shared;
        }
    }

    /// <summary>Gives back a lease taken with <see cref="Acquire"/>; the last one stops the thread.</summary>
    public void ReleaseLease()
    {
        lock (s_sharedGate)
        {
            if (!ReferenceEquals(s_shared, this) || --s_leases > 0)
            {
                return;
            }

            // Under the lock: a manager started next never runs beside this one's last moments.
            s_shared = null;
            Dispose();
        }
    }

    internal void Start()
    {
        _thread.Start();
        Volatile.Write(ref _started, true);
    }

    /// <summary>Queues an insert and waits for the answer (see the class remarks).</summary>
    /// <param name="strategy">The interface.</param>
    /// <param name="flow">The flow.</param>
    /// <param name="state">The flow's state on success.</param>
    /// <param name="answered">False when the manager never handled the request (queue full, timed out, stopping).</param>
    public BypassOutcome Insert(OffloadBypassStrategy strategy, in FlowTuple flow, out OffloadFlowState? state, out bool answered)
    {
        state = null;
        answered = false;
        using var request = new OffloadRequest(OffloadRequestKind.Insert, strategy, flow, null);
        lock (_gate)
        {
            if (_stopping)
            {
                return BypassOutcome.Failed(BypassFailure.Error, $"{strategy.Interface}: the bypass manager is stopping");
            }

            if (Interlocked.Increment(ref _depth) > _settings.QueueCapacity)
            {
                Interlocked.Decrement(ref _depth);
                CountFailure(ref _failedQueueFull, "queue-full");
                return BypassOutcome.Failed(BypassFailure.Error, $"{strategy.Interface}: the bypass queue is full ({_settings.QueueCapacity} inserts waiting for the NIC)");
            }

            _inserts.Enqueue(request);
            _signal.Set();
        }

        if (!request.Wait(_settings.AnswerTimeout))
        {
            if (request.TryAbandon())
            {
                CountFailure(ref _failedTimeout, "timeout");
                return BypassOutcome.Failed(BypassFailure.Error,
                    $"{strategy.Interface}: no answer from the bypass manager within {_settings.AnswerTimeout.TotalMilliseconds:0} ms ({Volatile.Read(ref _depth)} inserts queued)");
            }

            // Taken: the insert is under way and is never left without an owner.
            request.Wait();
        }

        answered = true;
        state = request.State;
        return request.Outcome;
    }

    /// <summary>Runs a release, register or unregister on the manager thread and waits for it (inline once the thread is gone).</summary>
    public void Control(OffloadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool queued;
        lock (_gate)
        {
            queued = !_stopping && Environment.CurrentManagedThreadId != _thread.ManagedThreadId;
            if (queued)
            {
                _control.Enqueue(request);
                _signal.Set();
            }
        }

        if (queued)
        {
            request.Wait();
        }
        else
        {
            HandleControl(request);
        }
    }

    /// <summary>
    /// The oldest start (Stopwatch ticks) of a read a check made now accepts: <see cref="OffloadManagerOptions.MaxReadAge"/>
    /// ago, or twice the last poll's duration ago when polls are slower.
    /// </summary>
    public long FreshSince(long now)
    {
        long window = Math.Max((long)(_settings.MaxReadAge.TotalSeconds * Stopwatch.Frequency), 2 * Interlocked.Read(ref _lastPollTicks));
        return now - window;
    }

    /// <summary>
    /// Waits for a completed poll numbered at least <paramref name="target"/> that started at or after
    /// <paramref name="notBefore"/> (Stopwatch ticks), asking for one now if the last one does not do.
    /// False when none came within <see cref="OffloadManagerOptions.PollWaitTimeout"/> (or the manager stopped).
    /// </summary>
    public bool WaitForPoll(long target, long notBefore)
    {
        lock (_pollMonitor)
        {
            if (Interlocked.Read(ref _pollsCompleted) >= target && Interlocked.Read(ref _completedPollStartedAt) >= notBefore)
            {
                return true;
            }
        }

        if (!RequestPoll())
        {
            return false;
        }

        long deadline = Environment.TickCount64 + (long)_settings.PollWaitTimeout.TotalMilliseconds;
        lock (_pollMonitor)
        {
            while (Interlocked.Read(ref _pollsCompleted) < target || Interlocked.Read(ref _completedPollStartedAt) < notBefore)
            {
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return false;
                }

                if (Volatile.Read(ref _pollRequested) == 0 && Interlocked.Read(ref _completedPollStartedAt) < notBefore && !RequestPoll())
                {
                    // Asked again (a poll already running when we asked does not do), but the manager is stopping.
                    return false;
                }

                Monitor.Wait(_pollMonitor, (int)Math.Min(remaining, 50));
            }
        }

        return true;
    }

    private bool RequestPoll()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            Volatile.Write(ref _pollRequested, 1);
            _signal.Set();
            return true;
        }
    }

    /// <summary>A snapshot of queue depth, latencies and failures by reason.</summary>
    public OffloadManagerStatistics GetStatistics()
    {
        long inserted = Interlocked.Read(ref _inserted);
        long attempts = inserted + Interlocked.Read(ref _failedTableFull) + Interlocked.Read(ref _failedUnsupported) + Interlocked.Read(ref _failedError);
        return new OffloadManagerStatistics(
            Volatile.Read(ref _depth),
            inserted,
            Interlocked.Read(ref _failedTableFull),
            Interlocked.Read(ref _failedUnsupported),
            Interlocked.Read(ref _failedError),
            Interlocked.Read(ref _failedQueueFull),
            Interlocked.Read(ref _failedTimeout),
            Interlocked.Read(ref _releases),
            Interlocked.Read(ref _pollsCompleted),
            attempts == 0 ? 0 : Milliseconds(Interlocked.Read(ref _insertTicks)) / attempts,
            Milliseconds(Interlocked.Read(ref _maxInsertTicks)),
            Milliseconds(Interlocked.Read(ref _maxQueueTicks)));
    }

    /// <summary>Stops the thread after it has served every queued release; inserts still queued fail.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        _signal.Set();
        if (Volatile.Read(ref _started) && Environment.CurrentManagedThreadId != _thread.ManagedThreadId)
        {
            _thread.Join();
        }

        OffloadManagerStatistics s = GetStatistics();
        NetronomeLog.ManagerStopped(_logger, s.Inserted, s.FailedTableFull + s.FailedUnsupported + s.FailedError + s.FailedQueueFull + s.FailedTimeout, s.Releases, s.Polls, s.AverageInsertMilliseconds, s.MaxInsertMilliseconds);
        lock (_pollMonitor)
        {
            Monitor.PulseAll(_pollMonitor);
        }

        _meter.Dispose();
        _signal.Dispose();
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private void Run()
    {
        NetronomeLog.ManagerStarted(_logger, _thread.Name ?? ThreadName, _settings.PollInterval.TotalMilliseconds, _settings.QueueCapacity);
        long interval = Math.Max(1, (long)_settings.PollInterval.TotalMilliseconds);
        long nextPoll = Environment.TickCount64 + interval;
        int pollsSinceSweep = 0;
        while (true)
        {
            bool busy = false;
            while (_control.TryDequeue(out OffloadRequest? control))
            {
                HandleControl(control);
                busy = true;
            }

            bool stopping;
            lock (_gate)
            {
                stopping = _stopping && _control.IsEmpty;
            }

            if (stopping)
            {
                FailQueuedInserts();
                break;
            }

            for (int i = 0; i < _settings.InsertBatch && _inserts.TryDequeue(out OffloadRequest? insert); i++)
            {
                Interlocked.Decrement(ref _depth);
                if (insert.TryTake())
                {
                    HandleInsert(insert);
                }

                busy = true;
            }

            if (Interlocked.Exchange(ref _pollRequested, 0) != 0 || Environment.TickCount64 >= nextPoll)
            {
                Poll();
                nextPoll = Environment.TickCount64 + interval;
                busy = true;
                if (++pollsSinceSweep >= _settings.SweepEveryPolls)
                {
                    pollsSinceSweep = 0;
                    foreach (OffloadBypassStrategy strategy in _interfaces)
                    {
                        strategy.SweepNow();
                    }
                }
            }

            if (!busy)
            {
                _signal.WaitOne((int)Math.Clamp(nextPoll - Environment.TickCount64, 1, interval));
            }
        }
    }

    private void HandleInsert(OffloadRequest request)
    {
        long started = Stopwatch.GetTimestamp();
        long queued = started - request.EnqueuedAt;
        BypassOutcome outcome;
        OffloadFlowState? state = null;
        try
        {
            outcome = request.Strategy.InsertNow(request.Flow, PollsStarted + 1, out state);
        }
#pragma warning disable CA1031 // a failed insert is the worker's answer, never the end of the manager thread
        catch (Exception exception)
#pragma warning restore CA1031
        {
            NetronomeLog.InsertCrashed(_logger, request.Strategy.Interface, exception);
            outcome = BypassOutcome.Failed(BypassFailure.Error, $"{request.Strategy.Interface}: insert failed: {exception.Message}");
        }

        long took = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref _insertTicks, took);
        InterlockedMax(ref _maxInsertTicks, took);
        InterlockedMax(ref _maxQueueTicks, queued);
        _insertDuration.Record(Milliseconds(took));
        _queueWait.Record(Milliseconds(queued));
        switch (outcome.Failure)
        {
            case BypassFailure.None:
                Interlocked.Increment(ref _inserted);
                break;
            case BypassFailure.TableFull:
                CountFailure(ref _failedTableFull, "table-full");
                break;
            case BypassFailure.Unsupported:
                CountFailure(ref _failedUnsupported, "unsupported");
                break;
            default:
                CountFailure(ref _failedError, "error");
                break;
        }

        request.State = state;
        request.Complete(outcome);
    }

    private void HandleControl(OffloadRequest request)
    {
        try
        {
            switch (request.Kind)
            {
                case OffloadRequestKind.Release:
                    request.Strategy.ReleaseNow(request.State!);
                    Interlocked.Increment(ref _releases);
                    break;
                case OffloadRequestKind.Register:
                    if (!_interfaces.Contains(request.Strategy))
                    {
                        _interfaces.Add(request.Strategy);
                    }

                    break;
                case OffloadRequestKind.Unregister:
                    _interfaces.Remove(request.Strategy);
                    request.Strategy.CloseMapReaders();
                    break;
                default:
                    break;
            }
        }
#pragma warning disable CA1031 // a failed control request is logged; the caller and the thread go on
        catch (Exception exception)
#pragma warning restore CA1031
        {
            NetronomeLog.ControlFailed(_logger, request.Kind.ToString(), request.Strategy.Interface, exception);
        }
        finally
        {
            request.Complete(BypassOutcome.Success);
        }
    }

    private void Poll()
    {
        long number = Interlocked.Increment(ref _pollsStarted);
        long startedAt = Stopwatch.GetTimestamp();
        foreach (OffloadBypassStrategy strategy in _interfaces)
        {
            try
            {
                strategy.PollNow();
            }
#pragma warning disable CA1031 // one interface's failed walk must not stop the others' liveness
            catch (Exception exception)
#pragma warning restore CA1031
            {
                NetronomeLog.PollFailed(_logger, strategy.Interface, exception);
            }
        }

        lock (_pollMonitor)
        {
            Interlocked.Exchange(ref _lastPollTicks, Stopwatch.GetTimestamp() - startedAt);
            Interlocked.Exchange(ref _completedPollStartedAt, startedAt);
            Interlocked.Exchange(ref _pollsCompleted, number);
            Monitor.PulseAll(_pollMonitor);
        }
    }

    private void FailQueuedInserts()
    {
        while (_inserts.TryDequeue(out OffloadRequest? insert))
        {
            Interlocked.Decrement(ref _depth);
            if (insert.TryTake())
            {
                insert.Complete(BypassOutcome.Failed(BypassFailure.Error, $"{insert.Strategy.Interface}: the bypass manager stopped"));
            }
        }
    }

    private void CountFailure(ref long counter, string reason)
    {
        Interlocked.Increment(ref counter);
        _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current = Interlocked.Read(ref target);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
