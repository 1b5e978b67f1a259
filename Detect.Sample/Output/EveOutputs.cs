using System.Runtime.InteropServices;
using FlowEngine.Output;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>
/// Every enabled eve-log of the run (a local file and a Redis server, say), each writing the event
/// types it lists. Events go to each writer in turn; the Redis ones only buffer, so no worker waits
/// for the network. The line logs Suricata writes beside EVE (fast.log, stats.log) go with them.
/// </summary>
internal sealed class EveOutputs : IDisposable
{
    private readonly EveWriter[] _writers;
    private readonly IBufferedEveDestination[] _redis;

    private readonly FastLog? _fast;
    private readonly StatsLog? _stats;

    public EveOutputs(IReadOnlyList<EveWriter> writers, IReadOnlyList<IBufferedEveDestination> redis, FastLog? fast = null, StatsLog? stats = null)
    {
        _writers = [.. writers];
        _redis = [.. redis];
        _fast = fast;
        _stats = stats;
    }

    /// <summary>The paths of the fast.log and stats.log being written, if any.</summary>
    public IEnumerable<string> LinePaths => LineLogs.Select(l => l.Path);

    public IReadOnlyList<EveWriter> Writers => _writers;

    /// <summary>fast.log and stats.log, where written.</summary>
    public IEnumerable<SharedLogFile> LineLogs => new[] { _fast?.File, _stats?.File }.OfType<SharedLogFile>();

    /// <summary>Whether any writer writes anomaly records.</summary>
    public bool WritesAnomalies => Array.Exists(_writers, w => w.WritesAnomalies);

    /// <summary>Whether any writer writes anomaly records of <paramref name="type"/>.</summary>
    public bool WritesAnomaly(AnomalyType type) => Array.Exists(_writers, w => w.WritesAnomaly(type));

    public IReadOnlyList<IBufferedEveDestination> Redis => _redis;

    /// <summary>Whether any writer writes <c>ether</c> (<c>ethernet: yes</c>): only then is a flow's first Ethernet addresses kept (Suricata's MAC set).</summary>
    public bool WritesEthernet => Array.Exists(_writers, w => w.Options.Ethernet);

    public void WriteFlows(ReadOnlySpan<FlowEndEvent> flows)
    {
        foreach (EveWriter writer in _writers)
        {
            writer.WriteFlows(flows);
        }
    }

    public void WriteAlert(in AlertEvent alert)
    {
        foreach (EveWriter writer in _writers)
        {
            writer.WriteAlert(in alert);
        }

        _fast?.WriteAlert(in alert);
    }

    /// <summary>Whether any writer writes drop records.</summary>
    public bool WritesDrops => Array.Exists(_writers, w => w.WritesDrops);

    public void WriteDrop(in DropEvent drop)
    {
        foreach (EveWriter writer in _writers)
        {
            writer.WriteDrop(in drop);
        }
    }

    public void WriteAnomaly(in AnomalyEvent anomaly)
    {
        foreach (EveWriter writer in _writers)
        {
            writer.WriteAnomaly(in anomaly);
        }
    }

    public void WriteStats(long timestampNanoseconds, long uptimeSeconds, IEnumerable<StatsCounter> counters)
    {
        // Read once, handed on as a span: Linq's array building and the interface enumerators of
        // this struct's collections were JIT compiled at every start (ReadyToRun images hold only
        // what is called directly).
        List<StatsCounter> list = [.. counters];
        ReadOnlySpan<StatsCounter> once = CollectionsMarshal.AsSpan(list);
        foreach (EveWriter writer in _writers)
        {
            writer.WriteStats(timestampNanoseconds, uptimeSeconds, once);
        }

        _stats?.Write(timestampNanoseconds, uptimeSeconds, once);
    }

    public void Flush()
    {
        foreach (EveWriter writer in _writers)
        {
            writer.Flush();
        }

        _fast?.Flush();
    }

    /// <summary>SIGHUP: every file reopened by name; one that cannot be is logged and written on in its old file.</summary>
    public void Reopen(ILogger logger)
    {
        foreach (EveWriter writer in _writers)
        {
            writer.Reopen();
        }

        foreach (SharedLogFile log in LineLogs)
        {
            try
            {
                log.Reopen();
            }
            catch (IOException e)
            {
                EveLog.ReopenFailed(logger, log.Path, e.Message);
            }
        }
    }

    /// <summary>
    /// The Redis outputs' counters, summed over them (<c>eve.redis.delivered</c>, <c>dropped</c>,
    /// <c>buffered</c>, <c>undelivered</c>); none when no eve-log goes to Redis.
    /// </summary>
    public IEnumerable<StatsCounter> Counters()
    {
        if (_redis.Length == 0)
        {
            yield break;
        }

        yield return new StatsCounter("eve.redis.delivered", _redis.Sum(r => r.Delivered));
        yield return new StatsCounter("eve.redis.dropped", _redis.Sum(r => r.Dropped));
        yield return new StatsCounter("eve.redis.buffered", _redis.Sum(r => r.Buffered));
        yield return new StatsCounter("eve.redis.undelivered", _redis.Sum(r => r.Undelivered));
    }

    public void Dispose()
    {
        foreach (EveWriter writer in _writers)
        {
            writer.Dispose();
        }

        _fast?.Dispose();
        _stats?.Dispose();
    }
}
