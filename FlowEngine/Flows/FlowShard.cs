using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Output;
using FlowEngine.Stream;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>
/// One worker's flows: the table and its parts along Suricata's seams, the
/// <see cref="FlowTracker"/> (key, lookup, create, update, TCP state), the <see cref="FlowManager"/>
/// (timeouts, liveness, emergency mode, eviction), <see cref="FlowBypass"/> (the one holder of a
/// flow's bypass state), <see cref="FlowEnd"/> (release and the end event) and the
/// <see cref="TcpStreamTracker"/> (TCP sessions, in storage column <c>streamColumn</c>). Touched by its
/// worker thread only (the manager pass runs on that thread between batches), so nothing here
/// takes a lock.
/// </summary>
internal sealed partial class FlowShard
{
    private readonly string _interfaceName;
    private readonly ILogger _logger;

    public FlowShard(
        FlowEngineOptions options,
        int capacity,
        int storageColumns,
        int bypassColumn,
        FlowHasher hasher,
        int shardIndex,
        string interfaceName,
        IBypassStrategy? strategy,
        IFlowEventSink sink,
        ILogger logger,
        int streamColumn = -1,
        bool[]? reusableColumns = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Table = new FlowTable(options.Prealloc, capacity, options.HashSize, storageColumns, reusableColumns);
        Timeouts = new FlowStateTimeouts(options.Timeouts);
        _interfaceName = interfaceName;
        _logger = logger;
        Bypass = new FlowBypass(Table, Counters, strategy, bypassColumn, interfaceName, logger);
        Ending = new FlowEnd(Table, Counters, Bypass, sink, interfaceName, logger);
        Manager = new FlowManager(options, Table, Counters, Timeouts, Bypass, Ending, interfaceName, logger);
        Stream = new TcpStreamTracker(options.Stream, Table, Counters, streamColumn);
        Tracker = new FlowTracker(options, Table, Counters, Timeouts, hasher, shardIndex, Manager, Bypass, Stream);
    }

    public FlowTable Table { get; }

    public FlowCounters Counters { get; } = new();

    public FlowStateTimeouts Timeouts { get; }

    public FlowTracker Tracker { get; }

    public FlowManager Manager { get; }

    public FlowBypass Bypass { get; }

    public TcpStreamTracker Stream { get; }

    public FlowEnd Ending { get; }

    public string InterfaceName => _interfaceName;

    public IBypassStrategy? Strategy => Bypass.Strategy;

    public bool Emergency => Manager.Emergency;

    public bool VlanTracking => Tracker.VlanTracking;

    public FlowKeyTracking KeyTracking => Tracker.KeyTracking;

    public FlowHasher Hasher => Tracker.Hasher;

    /// <summary>
    /// The most flows one shard may hold: what its share of the memcap pays for after its index,
    /// and at least prealloc (Suricata preallocates those whatever the memcap).
    /// </summary>
    public static int CapacityFor(FlowEngineOptions options, int shards, int storageColumns)
    {
        ArgumentNullException.ThrowIfNull(options);
        long perFlow = FlowTable.EstimateBytesPerRecord(storageColumns);
        long byMemcap = ((options.Memcap / Math.Max(1, shards)) - FlowTable.IndexBytes(options.HashSize)) / perFlow;
        long capacity = Math.Max(Math.Max(options.Prealloc, byMemcap), 1);
        return (int)Math.Min(capacity, 1 << 28);
    }

    /// <summary>See <see cref="FlowTracker.Track(in PacketLayer, long, int, ulong, ulong, long, out bool, out bool)"/>.</summary>
    public int Track(in PacketLayer layer, long timestamp, int length, ulong sourceMac, ulong destinationMac, long parentFlowId, out bool toServer, out bool drop) =>
        Tracker.Track(in layer, timestamp, length, sourceMac, destinationMac, parentFlowId, out toServer, out drop);

    /// <summary>Detection asked to bypass the flow (see <see cref="FlowBypass.Request"/>).</summary>
    public void RequestBypass(int slot) => Bypass.Request(slot, default);

    /// <summary>Detection asked to bypass the flow of a packet that came in <paramref name="tunnel"/> (see <see cref="FlowBypass.Request"/>).</summary>
    public void RequestBypass(int slot, in FlowTunnel tunnel) => Bypass.Request(slot, tunnel);

    /// <summary>The flow's tuple in its own orientation (client first).</summary>
    public FlowTuple BuildTuple(int slot) => Table.TupleAt(slot);

    /// <summary>The flow's bypass accounting record, or null when it was never bypassed.</summary>
    public BypassRecord? GetBypassRecord(int slot) => Bypass.RecordOf(slot);

    /// <summary>See <see cref="FlowManager.RunPass"/>.</summary>
    public bool RunManagerPass(long now, CancellationToken stop) => Manager.RunPass(now, stop);

    /// <summary>See <see cref="FlowManager.RunPassIfDue"/>.</summary>
    public bool RunManagerPassIfDue(long now, CancellationToken stop) => Manager.RunPassIfDue(now, stop);

    /// <summary>Ends every flow (end of capture, shutdown), emitting events and releasing capture entries.</summary>
    public void EndAll(FlowEndReason reason) => Manager.EndAll(reason);

    /// <summary>The manager's decision for one flow: true when it ended.</summary>
    internal bool ExpireIfDue(int slot, long now, bool emergency) => Manager.ExpireIfDue(slot, now, emergency);

    /// <summary>Ends a flow; the caller frees the slot.</summary>
    internal void End(int slot, FlowEndReason reason) => Ending.End(slot, reason);
}
