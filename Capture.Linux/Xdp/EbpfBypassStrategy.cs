using Capture.Abstractions;
using Capture.Linux.Xdp.Bypass;
using Capture.Linux.Xdp.Filter;
using Capture.Linux.Xdp.Interop;
using Capture.Linux.Xdp.Maps;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Xdp;

/// <summary>
/// The XDP bypass of one interface: a bypassed flow is two entries (one per direction) in the
/// filter's <c>flow_v4</c>/<c>flow_v6</c> map; the XDP program drops and counts their packets.
/// Created by <see cref="XdpBypassFilter"/>; thread-safe; no allocation per call beyond the
/// per-flow state on a successful bypass. With kernel bypass rules loaded
/// (<see cref="LoadHeaderRules"/>) the filter makes a matching flow's entries itself;
/// <see cref="TryBypass"/> then takes them over with what they counted.
/// </summary>
public sealed class EbpfBypassStrategy : IBypassStrategy, IHeaderRuleBypass
{
    private readonly BypassFamily<FlowKeyV4> _v4;
    private readonly BypassFamily<FlowKeyV6> _v6;
    private readonly ILogger _logger;
    private readonly BypassLatencyHistogram _latency;
    private readonly KernelBypassRules? _rules;
    private long _packets;
    private long _bytes;
    private int _keepEntries;

    // Outcomes built once: a full map must not cost an allocation per refused flow.
    private static readonly BypassOutcome s_tunnelled = BypassOutcome.Failed(BypassFailure.Unsupported, "only flows on the wire or one VXLAN, Geneve, GRE or ERSPAN tunnel deep (the tunnel named) are matched by the XDP filter");
    private static readonly BypassOutcome s_carrier = BypassOutcome.Failed(BypassFailure.Unsupported, "the flow carries VXLAN or Geneve: the XDP filter keys the flows inside it, not the tunnel");
    private static readonly BypassOutcome s_notTcpUdp = BypassOutcome.Failed(BypassFailure.Unsupported, "only TCP and UDP flows are matched by the XDP filter");

    // Keys no traffic carries: three VLAN tags of the reserved id 4095 (802.1Q: never on the wire)
    // around 0.0.0.0:0 / :: port 0. The warm-up inserts and deletes them.
    private static readonly FlowTuple s_warmV4 = new(false, default, default, 0, 0, 17, 4095, 4095, 4095, 0);
    private static readonly FlowTuple s_warmV6 = new(true, default, default, 0, 0, 17, 4095, 4095, 4095, 0);

    private static readonly BypassOutcome s_noTunnels = BypassOutcome.Failed(BypassFailure.Unsupported, "this build of the XDP filter (the NIC's) follows no tunnel");

    // Null when the loaded filter follows no tunnel (the NIC build).
    private readonly IReadOnlyList<int>? _vxlanPorts;
    private readonly int _genevePort;

    // vxlanPorts: the filter's VXLAN ports; null when the loaded build follows no tunnel.
    // genevePort: the filter's Geneve port, 0 for none.
    // rules: the filter's kernel bypass rules, null when the loaded build has none.
    internal EbpfBypassStrategy(string interfaceName, FlowMap v4, FlowMap v6, IReadOnlyList<int>? vxlanPorts, int genevePort, KernelBypassRules? rules, ILogger logger)
    {
        _rules = rules;
        Interface = interfaceName;
        _vxlanPorts = vxlanPorts;
        _genevePort = genevePort;
        _v4 = new BypassFamily<FlowKeyV4>(interfaceName, v4);
        _v6 = new BypassFamily<FlowKeyV6>(interfaceName, v6);
        _logger = logger;
        _latency = new BypassLatencyHistogram(Name, interfaceName);
    }

    /// <inheritdoc />
    public string Name => "xdp";

    /// <summary>The interface whose maps this strategy fills.</summary>
    public string Interface { get; }

    /// <inheritdoc />
    public BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is FlowBypassState existing && existing.Owner == this && !record.Released)
        {
            return BypassOutcome.Success;
        }

        if (!Matchable(flow))
        {
            return s_tunnelled;
        }

        if (flow.TunnelDepth > 0 && _vxlanPorts is null)
        {
            return s_noTunnels;
        }

        if (flow.TunnelDepth == 0 && flow.Protocol == 17 && (CarriesTunnel(flow.SourcePort) || CarriesTunnel(flow.DestinationPort)))
        {
            return s_carrier;
        }

        if (flow.Protocol != 6 && flow.Protocol != 17)
        {
            return s_notTcpUdp;
        }

        FlowBypassState state = new(this) { TriggerMonotonicNanoseconds = TriggerOnMonotonicClock(record.TriggerNanoseconds), Tunnel = flow.Tunnel };
        BypassOutcome outcome = flow.IsIPv6 ? Insert(_v6, flow, state) : Insert(_v4, flow, state);

        if (outcome.Succeeded)
        {
            // A record bypassed before (released, then bypassed again) keeps its totals: the new
            // entries count on top of them.
            state.BasePacketsToServer -= record.PacketsToServer;
            state.BaseBytesToServer -= record.BytesToServer;
            state.BasePacketsToClient -= record.PacketsToClient;
            state.BaseBytesToClient -= record.BytesToClient;
            state.Folded.Reset(record.PacketsToServer, record.BytesToServer, record.PacketsToClient, record.BytesToClient);
            record.Strategy = this;
            record.StrategyState = state;
            record.Released = false;
        }

        return outcome;
    }

    /// <summary>
    /// Whether the filter parses as far as the flow: on the wire, or one tunnel deep in a tunnel it
    /// follows (VXLAN, Geneve, GRE, ERSPAN) whose identity the engine gave.
    /// </summary>
    internal static bool Matchable(in FlowTuple flow) => flow.TunnelDepth switch
    {
        0 => flow.Tunnel.Kind == TunnelKind.None,
        1 => flow.Tunnel.Kind is TunnelKind.Vxlan or TunnelKind.Geneve or TunnelKind.Gre or TunnelKind.Erspan,
        _ => false,
    };

    // The filter follows a VXLAN or Geneve header on these UDP ports: the carrying flow itself is
    // never looked up (the reverse direction, to the client's port, would be, and half a flow is no bypass).
    private bool CarriesTunnel(ushort port)
    {
        if (_vxlanPorts is null)
        {
            return false;
        }

        if (port != 0 && port == _genevePort)
        {
            return true;
        }

        foreach (int vxlan in _vxlanPorts)
        {
            if (vxlan == port)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    /// <remarks>Logs how many rules went into the filter and, by sid, why the others did not.</remarks>
    public IReadOnlyList<HeaderRuleRefusal> LoadHeaderRules(IReadOnlyList<HeaderBypassRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        IReadOnlyList<HeaderRuleRefusal> refused = _rules is null
            ? [.. rules.Select(r => new HeaderRuleRefusal(r.Sid, "this XDP filter has no kernel bypass rules (the NIC's build, or an xdp-filter-file without them)"))]
            : _rules.Load(rules, Interface);
        if (rules.Count > 0)
        {
            EbpfLog.KernelRulesLoaded(_logger, Interface, rules.Count - refused.Count, rules.Count, _rules?.Entries ?? 0, KernelBypassRules.Capacity);
        }

        foreach (HeaderRuleRefusal refusal in refused)
        {
            EbpfLog.KernelRuleRefused(_logger, Interface, refusal.Sid, refusal.Reason);
        }

        return refused;
    }

    /// <inheritdoc />
    public bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Released || record.StrategyState is not FlowBypassState state || state.Owner != this)
        {
            return false;
        }

        // The maps keep no time (the NIC path has no clock): alive means the packet totals moved.
        ReadBoth(flow with { Tunnel = state.Tunnel }, out HalfFlowCounters toServer, out HalfFlowCounters toClient);
        lock (state)
        {
            return Fold(record, state, toServer, toClient);
        }
    }

    /// <summary>
    /// Runs the bypass path once per address family on a key no traffic carries — key building,
    /// insert, read, fold and delete, with the kernel's first map update — so that the first real
    /// bypass pays no JIT, interop stub or first-call cost while its flow's packets keep arriving.
    /// Leaves no entry and counts nothing (the counters of the warm-up flow stay zero).
    /// </summary>
    internal void Warm()
    {
        Warm(_v4, s_warmV4);
        Warm(_v6, s_warmV6);
    }

    /// <summary>
    /// From now on <see cref="Release"/> folds the final counters but leaves the entries in the
    /// maps: set when a filter with pinned maps stops, so the flows survive a clean restart.
    /// </summary>
    internal void KeepEntriesOnRelease() => Volatile.Write(ref _keepEntries, 1);

    /// <inheritdoc />
    public void Release(in FlowTuple flow, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is not FlowBypassState state || state.Owner != this)
        {
            return;
        }

        lock (state)
        {
            if (record.Released)
            {
                return;
            }

            // Final counters first, then the entries: no packet counted by the kernel is lost.
            FlowTuple keyed = flow with { Tunnel = state.Tunnel };
            ReadBoth(keyed, out HalfFlowCounters toServer, out HalfFlowCounters toClient);
            Fold(record, state, toServer, toClient);
            if (Volatile.Read(ref _keepEntries) != 0)
            {
                // Stopped with pinned maps: the flow's counters are final for this run, and its
                // entries stay for the next start to restore.
                if (flow.IsIPv6)
                {
                    _v6.Left();
                }
                else
                {
                    _v4.Left();
                }

                record.Released = true;
                return;
            }

            if (flow.IsIPv6)
            {
                Delete(_v6, keyed);
            }
            else
            {
                Delete(_v4, keyed);
            }

            record.Released = true;
        }
    }

    /// <summary>
    /// Takes over a flow restored from pinned maps (<see cref="XdpBypassFilter.RestoredFlows"/>):
    /// the record becomes capture-bypassed by this strategy with the counters the kernel kept.
    /// </summary>
    /// <param name="restored">The restored flow.</param>
    /// <param name="record">The recreated flow's bypass accounting slot.</param>
    public void Adopt(in RestoredBypassedFlow restored, BypassRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.StrategyState is FlowBypassState existing && existing.Owner == this && !record.Released)
        {
            return; // already adopted: entries are counted once
        }

        FlowBypassState state = new(this) { Tunnel = restored.Flow.Tunnel };
        state.Folded.Reset(restored.PacketsToServer, restored.BytesToServer, restored.PacketsToClient, restored.BytesToClient);
        FlowTuple flow = restored.Flow;
        if (flow.IsIPv6)
        {
            _v6.Added(FlowKeyV6.ToServer(flow), inserted: false);
        }
        else
        {
            _v4.Added(FlowKeyV4.ToServer(flow), inserted: false);
        }

        record.Strategy = this;
        record.StrategyState = state;
        record.Released = false;
        record.FoldTotals(restored.PacketsToServer, restored.BytesToServer, restored.PacketsToClient, restored.BytesToClient);
        Interlocked.Add(ref _packets, restored.PacketsToServer + restored.PacketsToClient);
        Interlocked.Add(ref _bytes, restored.BytesToServer + restored.BytesToClient);
    }

    /// <inheritdoc />
    public BypassStatistics GetStatistics() => new(
        _v4.Statistics,
        _v6.Statistics,
        Interlocked.Read(ref _packets),
        Interlocked.Read(ref _bytes))
    {
        Latency = _latency.Snapshot(),
    };

    /// <summary>Reads the kernel's totals of both halves (zero for a missing half); for tests and tools.</summary>
    internal void ReadBoth(in FlowTuple flow, out HalfFlowCounters toServer, out HalfFlowCounters toClient)
    {
        if (flow.IsIPv6)
        {
            Read(_v6, flow, out toServer, out toClient);
        }
        else
        {
            Read(_v4, flow, out toServer, out toClient);
        }
    }

    /// <summary>Whether a live flow (bypassed or adopted, not released) owns this IPv4 entry.</summary>
    internal bool Owns(in FlowKeyV4 key) => _v4.Owns(key);

    /// <summary>Whether a live flow (bypassed or adopted, not released) owns this IPv6 entry.</summary>
    internal bool Owns(in FlowKeyV6 key) => _v6.Owns(key);

    private static void Read<TKey>(BypassFamily<TKey> family, in FlowTuple flow, out HalfFlowCounters toServer, out HalfFlowCounters toClient)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        TKey a = TKey.ToServer(flow);
        TKey b = a.Reverse();
        family.Map.Lookup(ref a, out toServer);
        family.Map.Lookup(ref b, out toClient);
    }

    private void Warm<TKey>(BypassFamily<TKey> family, in FlowTuple flow)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        TKey toServer = TKey.ToServer(flow);
        TKey toClient = toServer.Reverse();
        if (family.Map.Lookup(ref toServer, out _) != -Libc.ENOENT || family.Map.Lookup(ref toClient, out _) != -Libc.ENOENT)
        {
            return; // never delete an entry this warm-up did not make
        }

        FlowBypassState state = new(this) { TriggerMonotonicNanoseconds = TriggerOnMonotonicClock(Libc.ClockNanoseconds(Libc.ClockRealtime)) };
        if (!InsertPair(family, ref toServer, ref toClient, state).Succeeded)
        {
            return; // a full map: nothing was left behind
        }

        // The live-entry set too: its first insert JIT-compiles the concurrent dictionary over this
        // key type (outside ReadyToRun's reach) and cost the first real bypass 1.5-3.5 ms.
        family.Added(toServer, inserted: false);
        Read(family, flow, out HalfFlowCounters a, out HalfFlowCounters b);
        Fold(new BypassRecord(), state, a, b);
        DeleteQuietly(family.Map, ref toServer);
        DeleteQuietly(family.Map, ref toClient);
        family.Removed(toServer);
    }

    private BypassOutcome Insert<TKey>(BypassFamily<TKey> family, in FlowTuple flow, FlowBypassState state)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        TKey toServer = TKey.ToServer(flow);
        TKey toClient = toServer.Reverse();
        BypassOutcome outcome = InsertPair(family, ref toServer, ref toClient, state);
        if (outcome.Succeeded)
        {
            family.Added(toServer, inserted: true);
        }
        else
        {
            family.Refused();
        }

        return outcome;
    }

    private void Delete<TKey>(BypassFamily<TKey> family, in FlowTuple flow)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        TKey a = TKey.ToServer(flow);
        TKey b = a.Reverse();
        DeleteQuietly(family.Map, ref a);
        DeleteQuietly(family.Map, ref b);
        family.Removed(a);
    }

    private BypassOutcome InsertPair<TKey>(BypassFamily<TKey> family, ref TKey toServer, ref TKey toClient, FlowBypassState state)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        FlowMap map = family.Map;
        int first = map.InsertIfAbsent(ref toServer);
        if (first != 0 && first != -Libc.EEXIST)
        {
            return Failure(family.Full, map, first);
        }

        int second = map.InsertIfAbsent(ref toClient);
        if (second != 0 && second != -Libc.EEXIST)
        {
            if (first == 0)
            {
                map.Delete(ref toServer); // roll back the half we added
            }

            return Failure(family.Full, map, second);
        }

        // Entries the filter made on a kernel bypass rule's match (rule_sid set) are this flow's:
        // what they counted since that packet is the flow's, and the latency is measured from
        // the triggering packet as for an insert here. Entries that were already there otherwise
        // (an older run, an orphan) keep their counts: remember them so this flow's counters start
        // at zero. Their first drop is older than this bypass: no latency is measured from them.
        HalfFlowCounters a = default;
        HalfFlowCounters b = default;
        bool foundA = first == -Libc.EEXIST && map.Lookup(ref toServer, out a) == 0;
        bool foundB = second == -Libc.EEXIST && map.Lookup(ref toClient, out b) == 0;
        if ((foundA && a.RuleSid == 0) || (foundB && b.RuleSid == 0))
        {
            state.TriggerMonotonicNanoseconds = long.MinValue;
        }

        if (foundA && a.RuleSid == 0)
        {
            state.BasePacketsToServer = a.Packets;
            state.BaseBytesToServer = a.Bytes;
        }

        if (foundB && b.RuleSid == 0)
        {
            state.BasePacketsToClient = b.Packets;
            state.BaseBytesToClient = b.Bytes;
        }

        return BypassOutcome.Success;
    }

    private BypassOutcome Failure(BypassOutcome full, FlowMap map, int rc)
    {
        int errno = -rc;
        if (errno is Libc.E2BIG or Libc.EAGAIN or Libc.ENOMEM or Libc.ENOSPC)
        {
            // E2BIG: kernel hash full; EAGAIN: NIC table full; ENOMEM: no memory for a non-preallocated entry.
            return full;
        }

        EbpfLog.InsertFailed(_logger, Interface, map.Name, Libc.ErrorText(errno), errno);
        return BypassOutcome.Failed(BypassFailure.Error, $"{Interface}: inserting into {map.Name} failed: {Libc.ErrorText(errno)} (errno {errno})");
    }

    /// <summary>
    /// The capture time of the triggering packet (Unix epoch ns, CLOCK_REALTIME as the ring stamps
    /// it) on CLOCK_MONOTONIC, the clock of the XDP program's first-drop stamp; now when unknown.
    /// </summary>
    private static long TriggerOnMonotonicClock(long triggerNanoseconds)
    {
        long monotonic = Libc.ClockNanoseconds(Libc.ClockMonotonic);
        if (triggerNanoseconds <= 0)
        {
            return monotonic;
        }

        long realtime = Libc.ClockNanoseconds(Libc.ClockRealtime);
        return monotonic - (realtime - triggerNanoseconds);
    }

    private bool Fold(BypassRecord record, FlowBypassState state, HalfFlowCounters toServer, HalfFlowCounters toClient)
    {
        if (state.TriggerMonotonicNanoseconds != long.MinValue)
        {
            // Measured once per flow, on the first read that finds a drop stamped in either direction.
            long first = toServer.FirstDropNanoseconds == 0 ? toClient.FirstDropNanoseconds
                : toClient.FirstDropNanoseconds == 0 ? toServer.FirstDropNanoseconds
                : Math.Min(toServer.FirstDropNanoseconds, toClient.FirstDropNanoseconds);
            if (first != 0)
            {
                _latency.Record(first - state.TriggerMonotonicNanoseconds);
                state.TriggerMonotonicNanoseconds = long.MinValue;
            }
        }

        bool moved = state.Folded.Fold(
            record,
            toServer.Packets - state.BasePacketsToServer,
            toServer.Bytes - state.BaseBytesToServer,
            toClient.Packets - state.BasePacketsToClient,
            toClient.Bytes - state.BaseBytesToClient,
            out long newPackets,
            out long newBytes);
        if (newPackets != 0 || newBytes != 0)
        {
            Interlocked.Add(ref _packets, newPackets);
            Interlocked.Add(ref _bytes, newBytes);
        }

        return moved;
    }

    private void DeleteQuietly<TKey>(FlowMap map, ref TKey key)
        where TKey : unmanaged
    {
        int rc = map.Delete(ref key);
        if (rc != 0 && rc != -Libc.ENOENT)
        {
            EbpfLog.DeleteFailed(_logger, Interface, map.Name, Libc.ErrorText(-rc), -rc);
        }
    }
}
