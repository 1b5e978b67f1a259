using System.Diagnostics;
using Capture.Abstractions;
using Capture.Linux.Xdp;
using Capture.Linux.Xdp.Bypass;
using Capture.Linux.Xdp.Maps;
using Microsoft.Extensions.Logging;

namespace Capture.Netronome.Bypass;

/// <summary>
/// The bypass of one offloaded interface, shared by its capture threads. Inserts and deletes are
/// Capture.Linux.Xdp's <see cref="EbpfBypassStrategy"/> (both halves insert-if-absent, rollback, error
/// mapping, counters), but always run on the plugin's bypass-manager thread; liveness comes from
/// the manager's batch reads of the shared maps: a flow is alive when its packet totals moved
/// since the previous check (the NIC keeps no time). <c>sinceNanoseconds</c> is therefore not
/// compared with anything: each check consumes a map read started after the previous check and
/// at most <see cref="OffloadManagerOptions.MaxReadAge"/> before it.
/// </summary>
internal sealed class OffloadBypassStrategy : IBypassStrategy
{
    private const int WalkBatch = 1024;

    private readonly XdpBypassFilter _filter;
    private readonly EbpfBypassStrategy _inner;
    private readonly OffloadBypassManager _manager;
    private readonly ILogger _logger;

    // Owned by the manager thread.
    private readonly Dictionary<FlowKeyV4, OffloadHalf> _indexV4 = [];
    private readonly Dictionary<FlowKeyV6, OffloadHalf> _indexV6 = [];
    private FlowMapWalker? _walkV4;
    private FlowMapWalker? _walkV6;
    private BypassMapSweeper? _sweeper;
    private bool _readersClosed;

    private long _packets;
    private long _bytes;
    private long _v4Unanswered;
    private long _v6Unanswered;

    public OffloadBypassStrategy(XdpBypassFilter filter, OffloadBypassManager manager, ILogger logger)
    {
        _filter = filter;
        _inner = filter.Strategy;
        _manager = manager;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => _filter.Options.Mode == XdpMode.Hardware ? "xdp-offload" : "xdp-offload-emulated";

    /// <summary>The interface.</summary>
    public string Interface => _filter.Interface;

    /// <summary>The plugin's bypass manager serving this interface.</summary>
    internal OffloadBypassManager Manager => _manager;

    /// <summary>Where the filter runs.</summary>
    public XdpMode Mode => _filter.Options.Mode;

    private static readonly BypassOutcome s_tunnelled = BypassOutcome.Failed(BypassFailure.Unsupported, "the NIC's XDP filter follows no tunnel");

    /// <inheritdoc />
    public BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is OffloadFlowState existing && existing.Owner == this && !record.Released)
        {
            return BypassOutcome.Success;
        }

        if (flow.TunnelDepth > 0)
        {
            // The NIC's filter build follows no tunnel (docs/XDP.md).
            return s_tunnelled;
        }

        BypassOutcome outcome = _manager.Insert(this, flow, out OffloadFlowState? state, out bool answered);
        if (!answered)
        {
            // Never reached the eBPF strategy: count the failure in the interface's statistics here.
            if (flow.IsIPv6)
            {
                Interlocked.Increment(ref _v6Unanswered);
            }
            else
            {
                Interlocked.Increment(ref _v4Unanswered);
            }

            NetronomeLog.BypassNotAnswered(_logger, Interface, outcome.Detail ?? string.Empty);
            return outcome;
        }

        if (outcome.Succeeded && state is not null)
        {
            record.Strategy = this;
            record.StrategyState = state;
            record.Released = false;
        }

        return outcome;
    }

    /// <inheritdoc />
    public bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Released || record.StrategyState is not OffloadFlowState state || state.Owner != this)
        {
            return false;
        }

        long need;
        lock (state.Gate)
        {
            need = state.NeedPoll;
        }

        // On demand: a read started after the previous check and no older than the freshness
        // window, else "no change" could be a stale answer.
        if (!_manager.WaitForPoll(need, _manager.FreshSince(Stopwatch.GetTimestamp())))
        {
            NetronomeLog.PollNotReady(_logger, Interface);
        }

        lock (state.Gate)
        {
            if (state.Released)
            {
                return false;
            }

            long nextNeed = _manager.PollsStarted + 1;
            bool moved = Fold(
                record,
                state,
                state.ReadPacketsToServer - state.BasePacketsToServer,
                state.ReadBytesToServer - state.BaseBytesToServer,
                state.ReadPacketsToClient - state.BasePacketsToClient,
                state.ReadBytesToClient - state.BaseBytesToClient);
            state.NeedPoll = nextNeed;
            return moved;
        }
    }

    /// <inheritdoc />
    public void Release(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is not OffloadFlowState state || state.Owner != this)
        {
            return;
        }

        lock (state.Gate)
        {
            if (record.Released || state.Released)
            {
                record.Released = true;
                return;
            }
        }

        using (var request = new OffloadRequest(OffloadRequestKind.Release, this, flow, state))
        {
            _manager.Control(request);
        }

        lock (state.Gate)
        {
            // The eBPF strategy read the final totals just before deleting (bases already subtracted).
            BypassRecord final = state.Inner;
            Fold(record, state, final.PacketsToServer, final.BytesToServer, final.PacketsToClient, final.BytesToClient);
            record.Released = true;
        }
    }

    /// <inheritdoc />
    public BypassStatistics GetStatistics()
    {
        BypassStatistics inner = _inner.GetStatistics();
        return new BypassStatistics(
            inner.IPv4 with { Failure = inner.IPv4.Failure + Interlocked.Read(ref _v4Unanswered) },
            inner.IPv6 with { Failure = inner.IPv6.Failure + Interlocked.Read(ref _v6Unanswered) },
            Interlocked.Read(ref _packets),
            Interlocked.Read(ref _bytes));
    }

    /// <summary>Manager thread: inserts both halves and indexes them for the batch reads.</summary>
    internal BypassOutcome InsertNow(in FlowTuple flow, long needPoll, out OffloadFlowState? state)
    {
        state = null;
        var inner = new BypassRecord();
        BypassOutcome outcome = _inner.TryBypass(flow, inner);
        if (!outcome.Succeeded)
        {
            return outcome;
        }

        state = new OffloadFlowState(this, flow, inner) { NeedPoll = needPoll };
        if (inner.StrategyState is FlowBypassState bases)
        {
            state.BasePacketsToServer = bases.BasePacketsToServer;
            state.BaseBytesToServer = bases.BaseBytesToServer;
            state.BasePacketsToClient = bases.BasePacketsToClient;
            state.BaseBytesToClient = bases.BaseBytesToClient;
            state.ReadPacketsToServer = bases.BasePacketsToServer;
            state.ReadBytesToServer = bases.BaseBytesToServer;
            state.ReadPacketsToClient = bases.BasePacketsToClient;
            state.ReadBytesToClient = bases.BaseBytesToClient;
        }

        if (flow.IsIPv6)
        {
            FlowKeyV6 toServer = FlowKeyV6.ToServer(flow);
            _indexV6[toServer] = new OffloadHalf(state, true);
            _indexV6[toServer.Reverse()] = new OffloadHalf(state, false);
        }
        else
        {
            FlowKeyV4 toServer = FlowKeyV4.ToServer(flow);
            _indexV4[toServer] = new OffloadHalf(state, true);
            _indexV4[toServer.Reverse()] = new OffloadHalf(state, false);
        }

        return outcome;
    }

    /// <summary>Manager thread: final read and delete (the eBPF strategy's release), then forget the keys.</summary>
    internal void ReleaseNow(OffloadFlowState state)
    {
        FlowTuple flow = state.Flow;
        _inner.Release(flow, state.Inner);
        if (flow.IsIPv6)
        {
            FlowKeyV6 toServer = FlowKeyV6.ToServer(flow);
            RemoveIfOwned(_indexV6, toServer, state);
            RemoveIfOwned(_indexV6, toServer.Reverse(), state);
        }
        else
        {
            FlowKeyV4 toServer = FlowKeyV4.ToServer(flow);
            RemoveIfOwned(_indexV4, toServer, state);
            RemoveIfOwned(_indexV4, toServer.Reverse(), state);
        }

        lock (state.Gate)
        {
            state.Released = true;
        }
    }

    /// <summary>Manager thread: one batch read of both maps; stores the totals of every indexed half.</summary>
    internal void PollNow()
    {
        if (_readersClosed)
        {
            return;
        }

        if (_indexV4.Count > 0)
        {
            _walkV4 ??= new FlowMapWalker(_filter.MapV4, WalkBatch);
            Walk(_walkV4, _indexV4);
        }

        if (_indexV6.Count > 0)
        {
            _walkV6 ??= new FlowMapWalker(_filter.MapV6, WalkBatch);
            Walk(_walkV6, _indexV6);
        }
    }

    /// <summary>Manager thread: expires orphan entries (no owning flow, counters still) with Capture.Linux.Xdp's sweeper.</summary>
    internal void SweepNow()
    {
        if (_readersClosed)
        {
            return;
        }

        _sweeper ??= _filter.CreateSweeper(TimeSpan.FromSeconds(30));
        SweepResult result = _sweeper.SweepOnce();
        if (result.Expired > 0)
        {
            NetronomeLog.OrphansExpired(_logger, Interface, result.Expired, result.EntriesVisited);
        }
    }

    /// <summary>Manager thread: the interface is closing; stop reading its maps.</summary>
    internal void CloseMapReaders()
    {
        _readersClosed = true;
        _walkV4?.Dispose();
        _walkV6?.Dispose();
        _sweeper?.Dispose();
        _walkV4 = null;
        _walkV6 = null;
        _sweeper = null;
    }

    private static void RemoveIfOwned<TKey>(Dictionary<TKey, OffloadHalf> index, TKey key, OffloadFlowState state)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out OffloadHalf half) && half.State == state)
        {
            index.Remove(key);
        }
    }

    private void Walk<TKey>(FlowMapWalker walker, Dictionary<TKey, OffloadHalf> index)
        where TKey : unmanaged, IHalfFlowKey<TKey>
    {
        walker.Reset();
        int error = 0;
        while (walker.Next(out int count, out error))
        {
            for (int i = 0; i < count; i++)
            {
                if (!index.TryGetValue(walker.Key<TKey>(i), out OffloadHalf half))
                {
                    continue;
                }

                HalfFlowCounters counters = walker.Counters(i);
                OffloadFlowState state = half.State;
                lock (state.Gate)
                {
                    if (half.ToServer)
                    {
                        state.ReadPacketsToServer = Math.Max(state.ReadPacketsToServer, counters.Packets);
                        state.ReadBytesToServer = Math.Max(state.ReadBytesToServer, counters.Bytes);
                    }
                    else
                    {
                        state.ReadPacketsToClient = Math.Max(state.ReadPacketsToClient, counters.Packets);
                        state.ReadBytesToClient = Math.Max(state.ReadBytesToClient, counters.Bytes);
                    }
                }
            }
        }

        if (error != 0)
        {
            NetronomeLog.WalkFailed(_logger, Interface, walker.Map.Name, -error);
        }
    }

    /// <summary>Folds totals (bases subtracted) into the record; true when packets moved since the last fold.</summary>
    private bool Fold(BypassRecord record, OffloadFlowState state, long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient)
    {
        bool moved = state.Folded.Fold(record, packetsToServer, bytesToServer, packetsToClient, bytesToClient, out long newPackets, out long newBytes);
        if (newPackets != 0 || newBytes != 0)
        {
            Interlocked.Add(ref _packets, newPackets);
            Interlocked.Add(ref _bytes, newBytes);
        }

        return moved;
    }
}
