using Capture.Linux.Xdp.Interop;
using Capture.Linux.Xdp.Maps;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Xdp;

/// <summary>
/// Walks an interface's flow maps in batches (BPF_MAP_LOOKUP_BATCH) and deletes entries that
/// no live flow of the <see cref="EbpfBypassStrategy"/> owns — orphans of a crash, of a restart
/// whose restored flows were not adopted, of a path that forgot to release — once their
/// counters did not move between two walks (an orphan still carrying traffic is given one more
/// interval). Stops within one batch (well under 100 ms, whatever the map size).
/// Created by <see cref="XdpBypassFilter.CreateSweeper"/>.
/// </summary>
public sealed class BypassMapSweeper : IDisposable
{
    private const int BatchSize = 4096;
    private readonly EbpfBypassStrategy _strategy;
    private readonly ILogger _logger;
    private readonly FlowMapWalker _walkV4;
    private readonly FlowMapWalker _walkV6;
    private readonly Lock _sweepLock = new();
    private Dictionary<FlowKeyV4, long> _orphansV4 = [];
    private Dictionary<FlowKeyV4, long> _nextOrphansV4 = [];
    private Dictionary<FlowKeyV6, long> _orphansV6 = [];
    private Dictionary<FlowKeyV6, long> _nextOrphansV6 = [];
    private readonly List<FlowKeyV4> _expireV4 = [];
    private readonly List<FlowKeyV6> _expireV6 = [];
    private CancellationTokenSource? _stop;
    private Thread? _thread;
    private long _expired;
    private long _walks;

    internal BypassMapSweeper(EbpfBypassStrategy strategy, FlowMap v4, FlowMap v6, TimeSpan interval, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _strategy = strategy;
        _logger = logger;
        Interval = interval;
        _walkV4 = new FlowMapWalker(v4, BatchSize);
        _walkV6 = new FlowMapWalker(v6, BatchSize);
    }

    /// <summary>Time between walks of the background thread.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Orphan entries deleted so far.</summary>
    public long EntriesExpired => Interlocked.Read(ref _expired);

    /// <summary>Walks completed so far.</summary>
    public long Walks => Interlocked.Read(ref _walks);

    /// <summary>Starts the background thread (one walk per <see cref="Interval"/>).</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }

        _stop = new CancellationTokenSource();
        CancellationToken token = _stop.Token;
        _thread = new Thread(() => Run(token)) { IsBackground = true, Name = "bypass-sweep " + _strategy.Interface };
        _thread.Start();
    }

    /// <summary>Stops the background thread; returns once it has ended (within one batch).</summary>
    public void Stop()
    {
        if (_thread is null || _stop is null)
        {
            return;
        }

        _stop.Cancel();
        _thread.Join();
        _thread = null;
        _stop.Dispose();
        _stop = null;
    }

    /// <summary>One walk of both maps now, on the caller's thread; stops between batches when cancelled.</summary>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>What the walk found.</returns>
    public SweepResult SweepOnce(CancellationToken cancellationToken = default)
    {
        lock (_sweepLock)
        {
            long visited = 0;
            long orphans = 0;
            long expired = 0;
            bool completed = Walk(_walkV4, ref _orphansV4, ref _nextOrphansV4, _expireV4, static (s, k) => s.Owns(k), ref visited, ref orphans, ref expired, cancellationToken)
                && Walk(_walkV6, ref _orphansV6, ref _nextOrphansV6, _expireV6, static (s, k) => s.Owns(k), ref visited, ref orphans, ref expired, cancellationToken);
            Interlocked.Add(ref _expired, expired);
            if (completed)
            {
                Interlocked.Increment(ref _walks);
            }

            if (expired > 0)
            {
                EbpfLog.OrphansExpired(_logger, _strategy.Interface, expired, visited, orphans);
            }

            return new SweepResult(visited, orphans, expired, completed);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        lock (_sweepLock)
        {
            _walkV4.Dispose();
            _walkV6.Dispose();
        }
    }

    private bool Walk<TKey>(
        FlowMapWalker walker,
        ref Dictionary<TKey, long> previous,
        ref Dictionary<TKey, long> next,
        List<TKey> expire,
        Func<EbpfBypassStrategy, TKey, bool> owned,
        ref long visited,
        ref long orphans,
        ref long expired,
        CancellationToken cancellationToken)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        walker.Reset();
        next.Clear();
        bool completed = true;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                completed = false;
                break;
            }

            if (!walker.Next(out int count, out int error))
            {
                break;
            }

            expire.Clear();
            for (int i = 0; i < count; i++)
            {
                // A batch of 4096 takes a few ms of CPU; checking inside it keeps Stop prompt on a loaded machine.
                if ((i & 511) == 511 && cancellationToken.IsCancellationRequested)
                {
                    completed = false;
                    break;
                }

                TKey key = walker.Key<TKey>(i);
                if (owned(_strategy, key))
                {
                    continue;
                }

                orphans++;
                long packets = walker.Counters(i).Packets;
                if (previous.TryGetValue(key, out long before) && before == packets)
                {
                    expire.Add(key);
                }
                else
                {
                    next[key] = packets;
                }
            }

            visited += completed ? count : 0;
            if (!completed)
            {
                break;
            }

            // Deleting entries of buckets already walked does not disturb the batch cursor.
            foreach (TKey key in expire)
            {
                TKey k = key;
                int rc = walker.Map.Delete(ref k);
                if (rc == 0)
                {
                    expired++;
                }
            }

            if (error != 0)
            {
                EbpfLog.WalkFailed(_logger, _strategy.Interface, walker.Map.Name, Libc.ErrorText(-error), -error);
                completed = false;
                break;
            }
        }

        if (completed)
        {
            // Orphans not seen again are gone; the ones seen now are compared on the next walk.
            (previous, next) = (next, previous);
        }
        else
        {
            foreach ((TKey key, long packets) in next)
            {
                previous[key] = packets;
            }
        }

        return completed;
    }

    private void Run(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                SweepOnce(token);
                token.WaitHandle.WaitOne(Interval);
            }
        }
#pragma warning disable CA1031 // the sweeper must not take the process down; it logs and ends
        catch (Exception exception)
#pragma warning restore CA1031
        {
            EbpfLog.SweeperFailed(_logger, _strategy.Interface, exception);
        }
    }
}
