using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Output;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>
/// One worker's flows: the table, flow state tracking, bypass, the flow manager's timeout pass,
/// emergency mode, eviction and flow end. Touched by its worker thread only (the manager pass runs
/// on that thread between batches), so nothing here takes a lock.
/// </summary>
internal sealed partial class FlowShard
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const byte TcpFin = 0x01;
    private const byte TcpSyn = 0x02;
    private const byte TcpRst = 0x04;
    private const byte TcpAck = 0x10;

    private readonly FlowHasher _hasher;
    private readonly long[] _timeouts;
    private readonly long _shortestTimeout;
    private readonly IFlowEventSink _sink;
    private readonly int _bypassColumn;
    private readonly int _shardIndex;
    private readonly bool _vlanTracking;
    private readonly int _recoveryFree;
    private readonly ILogger _logger;
    private ulong _sequence;
    private long _lastEmergencyPass = long.MinValue;
    private int _evictHand;
    private long _nextDue = long.MinValue;
    private long _lastPassAt = long.MaxValue;
    private long _scanDue;

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
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Table = new FlowTable(options.Prealloc, capacity, options.HashSize, storageColumns);
        _hasher = hasher;
        _timeouts = BuildTimeouts(options.Timeouts);
        _shortestTimeout = ShortestReachableTimeout(_timeouts);
        _sink = sink;
        _bypassColumn = bypassColumn;
        _shardIndex = shardIndex;
        _vlanTracking = options.VlanTracking;
        _recoveryFree = Math.Max(1, (int)((long)Table.MaxCapacity * Math.Clamp(options.EmergencyRecovery, 1, 100) / 100));
        _logger = logger;
        InterfaceName = interfaceName;
        Strategy = strategy;
    }

    public FlowTable Table { get; }

    public FlowCounters Counters { get; } = new();

    public string InterfaceName { get; }

    public IBypassStrategy? Strategy { get; }

    public bool Emergency { get; private set; }

    public bool VlanTracking => _vlanTracking;

    public FlowHasher Hasher => _hasher;

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

    /// <summary>Finds or creates the flow of a layer and counts the packet; see the other overload.</summary>
    public int Track(in PacketLayer layer, long timestamp, int length, ulong sourceMac, ulong destinationMac, long parentFlowId, out bool toServer, out bool drop)
    {
        uint hash = FlowKey.FromLayer(in layer, _vlanTracking, _hasher, out FlowKey key, out bool sourceIsLow);
        return Track(ref key, hash, sourceIsLow, in layer, timestamp, length, sourceMac, destinationMac, parentFlowId, out toServer, out drop);
    }

    /// <summary>
    /// Finds or creates the flow of a layer whose key and hash are known, counts the packet in the
    /// flow's direction and advances its state. <paramref name="drop"/> is true when the flow is
    /// bypassed: the packet was counted and must not be inspected.
    /// </summary>
    public int Track(ref FlowKey key, uint hash, bool sourceIsLow, in PacketLayer layer, long timestamp, int length, ulong sourceMac, ulong destinationMac, long parentFlowId, out bool toServer, out bool drop)
    {
        int slot = Table.Lookup(ref key, hash);
        if (slot < 0)
        {
            slot = Create(ref key, hash, sourceIsLow, in layer, timestamp, sourceMac, destinationMac, parentFlowId);
        }

        ref FlowSlot s = ref Table.SlotAt(slot);
        bool icmpError = (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0;
        toServer = ((s.Flags & FlowSlotFlags.ClientIsLow) != 0) == sourceIsLow;
        if (icmpError)
        {
            // The layer holds the embedded packet's addresses; the error itself travels back.
            toServer = !toServer;
        }

        drop = Update(slot, ref s, toServer, in layer, icmpError, timestamp, length);
        return slot;
    }

    /// <summary>Detection asked to bypass the flow: local bypass now, then the capture's strategy.</summary>
    public void RequestBypass(int slot)
    {
        ref FlowSlot s = ref Table.Slots[slot];
        if (s.State is FlowState.LocalBypassed or FlowState.CaptureBypassed || (s.Flags & FlowSlotFlags.InUse) == 0)
        {
            return;
        }

        Counters.BypassRequests++;
        ref FlowRecord r = ref Table.Records[slot];
        BypassRecord record = GetOrCreateBypassRecord(slot);
        s.State = FlowState.LocalBypassed;
        r.Bypass = BypassKind.Local;
        IBypassStrategy? strategy = Strategy;
        if (strategy is null)
        {
            return;
        }

        FlowTuple tuple = BuildTuple(slot);

        // The verdict comes on the packet just tracked: its time starts the bypass latency.
        record.TriggerNanoseconds = s.LastSeenNanoseconds;
        BypassOutcome outcome;
        try
        {
            outcome = strategy.TryBypass(in tuple, record);
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down; the flow stays locally bypassed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.TryBypass), InterfaceName);
            outcome = BypassOutcome.Failed(BypassFailure.Error, ex.Message);
        }

        if (outcome.Succeeded)
        {
            record.Strategy ??= strategy;
            record.Released = false;
            s.State = FlowState.CaptureBypassed;
            r.Bypass = BypassKind.Capture;
            Counters.CaptureBypassSuccess++;
        }
        else
        {
            Counters.CaptureBypassFailure++;
            FlowLog.CaptureBypassRefused(_logger, strategy.Name, InterfaceName, outcome.Failure, outcome.Detail);
        }
    }

    /// <summary>The flow's tuple in its own orientation (client first).</summary>
    public FlowTuple BuildTuple(int slot)
    {
        ref FlowSlot s = ref Table.Slots[slot];
        ref FlowKey k = ref s.Key;
        bool clientLow = (s.Flags & FlowSlotFlags.ClientIsLow) != 0;
        return new FlowTuple(
            k.IsIPv6 != 0,
            clientLow ? k.Low : k.High,
            clientLow ? k.High : k.Low,
            clientLow ? k.LowPort : k.HighPort,
            clientLow ? k.HighPort : k.LowPort,
            k.Protocol,
            k.Vlan0,
            k.Vlan1,
            k.Vlan2,
            k.TunnelDepth);
    }

    /// <summary>The flow's bypass accounting record, or null when it was never bypassed.</summary>
    public BypassRecord? GetBypassRecord(int slot) =>
        _bypassColumn >= 0 ? (BypassRecord?)Table.Storage[_bypassColumn][slot] : null;

    /// <summary>
    /// The flow manager's pass: ends every flow whose state's timeout has passed at
    /// <paramref name="now"/>, asking the capture before ending a capture-bypassed one. Notices
    /// <paramref name="stop"/> within a few thousand slots. Returns whether it completed.
    /// </summary>
    public bool RunManagerPass(long now, CancellationToken stop)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeoutVisitor visitor = new(this, now, Emergency);
        _scanDue = long.MaxValue;
        bool completed = Table.Scan(ref visitor, stop, out int visited);

        // Nothing is due before the earliest deadline among the flows this pass kept, nor before the
        // shortest timeout from now for a flow created or changed after it (its packets are not older
        // than now, up to the capture's reordering).
        _nextDue = completed ? Math.Min(_scanDue, now + _shortestTimeout) : long.MinValue;
        _lastPassAt = now;
        Counters.ManagerPasses++;
        Counters.ManagerChecked += visited;
        Counters.ManagerNanoseconds += (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds;
        if (!completed)
        {
            Counters.ManagerStopped++;
        }

        if (Emergency && Table.MaxCapacity - Table.Active >= _recoveryFree)
        {
            Emergency = false;
            Counters.Emergency = 0;
            Counters.EmergencyOver++;
            FlowLog.EmergencyOver(_logger, InterfaceName, Table.MaxCapacity - Table.Active);
        }

        Counters.Active = Table.Active;
        return completed;
    }

    /// <summary>
    /// The flow manager's periodic call: <see cref="RunManagerPass"/>, unless the last complete pass
    /// showed that no flow can be due yet (as Suricata's manager skips hash rows by their next
    /// timeout). Never skips in emergency mode, whose end a pass decides.
    /// </summary>
    public bool RunManagerPassIfDue(long now, CancellationToken stop)
    {
        // A clock that went back (a new capture, a wall-clock step) gets a pass: the bound assumed time moves on.
        if (!Emergency && now < _nextDue && now >= _lastPassAt)
        {
            Counters.ManagerSkipped++;
            return true;
        }

        return RunManagerPass(now, stop);
    }

    /// <summary>Ends every flow (end of capture, shutdown), emitting events and releasing capture entries.</summary>
    public void EndAll(FlowEndReason reason)
    {
        EndAllVisitor visitor = new(this, reason);
        Table.FreeAll(ref visitor);
        _nextDue = long.MinValue;
        Counters.Active = Table.Active;
    }

    /// <summary>Manager decision for one flow: true when it ended.</summary>
    internal bool ExpireIfDue(int slot, long now, bool emergency)
    {
        ref FlowSlot s = ref Table.Slots[slot];
        long timeout = _timeouts[TimeoutIndex(s.TimeoutClass, emergency, s.State)];
        long deadline = s.LastSeenNanoseconds + timeout;
        if (deadline > now)
        {
            _scanDue = Math.Min(_scanDue, deadline);
            return false;
        }

        if (s.State == FlowState.CaptureBypassed)
        {
            BypassRecord? record = GetBypassRecord(slot);
            IBypassStrategy? strategy = record?.Strategy ?? Strategy;
            if (record is not null && strategy is not null && !record.Released)
            {
                FlowTuple tuple = BuildTuple(slot);
                long packets = record.PacketsToServer + record.PacketsToClient;
                long bytes = record.BytesToServer + record.BytesToClient;
                bool alive;
                try
                {
                    alive = strategy.SeenSince(in tuple, record, s.LastSeenNanoseconds);
                }
#pragma warning disable CA1031 // A failing plugin must not take the worker down; the flow is treated as dead and released.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Counters.StrategyErrors++;
                    FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.SeenSince), InterfaceName);
                    alive = false;
                }

                Counters.BypassedPackets += record.PacketsToServer + record.PacketsToClient - packets;
                Counters.BypassedBytes += record.BytesToServer + record.BytesToClient - bytes;
                if (alive)
                {
                    s.LastSeenNanoseconds = Math.Max(s.LastSeenNanoseconds, now);
                    _scanDue = Math.Min(_scanDue, s.LastSeenNanoseconds + timeout);
                    return false;
                }

                Counters.BypassedClosed++;
            }
        }

        Counters.TimedOut++;
        End(slot, FlowEndReason.Timeout);
        return true;
    }

    /// <summary>Ends a flow: final release of capture entries, the end-state counter, the event. The caller frees the slot.</summary>
    internal void End(int slot, FlowEndReason reason)
    {
        ref FlowSlot s = ref Table.Slots[slot];
        ref FlowRecord r = ref Table.Records[slot];
        ref FlowOrigin origin = ref Table.OriginAt(slot);
        BypassRecord? record = GetBypassRecord(slot);
        if (record is not null)
        {
            Release(slot, record);
        }

        switch (s.State)
        {
            case FlowState.New: Counters.EndNew++; break;
            case FlowState.Established: Counters.EndEstablished++; break;
            case FlowState.Closed: Counters.EndClosed++; break;
            case FlowState.LocalBypassed: Counters.EndLocalBypassed++; break;
            default: Counters.EndCaptureBypassed++; break;
        }

        if (reason == FlowEndReason.Shutdown)
        {
            Counters.EndedAtShutdown++;
        }

        long bpts = record?.PacketsToServer ?? 0;
        long bptc = record?.PacketsToClient ?? 0;
        long bbts = record?.BytesToServer ?? 0;
        long bbtc = record?.BytesToClient ?? 0;
        FlowEndEvent flowEnd = new()
        {
            FlowId = r.FlowId,
            Tuple = BuildTuple(slot),
            VlanCount = s.Key.VlanCount,
            InterfaceName = InterfaceName,
            StartNanoseconds = r.StartNanoseconds,
            EndNanoseconds = s.LastSeenNanoseconds,
            PacketsToServer = r.PacketsToServer + bpts,
            PacketsToClient = r.PacketsToClient + bptc,
            BytesToServer = r.BytesToServer + bbts,
            BytesToClient = r.BytesToClient + bbtc,
            BypassedPacketsToServer = bpts,
            BypassedPacketsToClient = bptc,
            BypassedBytesToServer = bbts,
            BypassedBytesToClient = bbtc,
            State = s.State,
            Reason = reason,
            Bypass = r.Bypass,
            HasBypassCounters = record is not null,
            TcpFlagsToServer = r.TcpFlagsToServer,
            TcpFlagsToClient = r.TcpFlagsToClient,
            SourceMac = origin.ClientMac,
            DestinationMac = origin.ServerMac,
            TunnelParentFlowId = origin.TunnelParentFlowId,
            Alerted = (s.Flags & FlowSlotFlags.Alerted) != 0,
        };

        try
        {
            _sink.OnFlowEnd(in flowEnd);
        }
#pragma warning disable CA1031 // An output failure must not lose the table's consistency or the other flows.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.SinkErrors++;
            FlowLog.SinkFailed(_logger, ex, InterfaceName);
        }
    }

    private static int TimeoutIndex(byte timeoutClass, bool emergency, FlowState state) =>
        (timeoutClass * 10) + (emergency ? 5 : 0) + (int)state;

    private static long[] BuildTimeouts(FlowTimeoutTable table)
    {
        long[] result = new long[40];
        FlowTimeouts[] rows = [table.Default, table.Tcp, table.Udp, table.Icmp];
        for (int c = 0; c < rows.Length; c++)
        {
            FlowTimeouts t = rows[c];
            int[] normal = [t.New, t.Established, t.Closed, t.Bypassed, t.Bypassed];
            int[] emergency = [t.EmergencyNew, t.EmergencyEstablished, t.EmergencyClosed, t.EmergencyBypassed, t.EmergencyBypassed];
            for (int state = 0; state < 5; state++)
            {
                // As Suricata: an emergency value larger than the normal one becomes normal/10.
                int e = emergency[state] > normal[state] ? normal[state] / 10 : emergency[state];
                result[(c * 10) + state] = Math.Max(0, normal[state]) * NanosecondsPerSecond;
                result[(c * 10) + 5 + state] = Math.Max(0, e) * NanosecondsPerSecond;
            }
        }

        return result;
    }

    /// <summary>
    /// The shortest timeout a flow can be given outside emergency mode (in which no pass is
    /// skipped): Closed only for TCP, the one protocol whose flows close.
    /// </summary>
    private static long ShortestReachableTimeout(long[] timeouts)
    {
        long shortest = long.MaxValue;
        for (byte timeoutClass = 0; timeoutClass < 4; timeoutClass++)
        {
            foreach (FlowState state in (ReadOnlySpan<FlowState>)[FlowState.New, FlowState.Established, FlowState.Closed, FlowState.LocalBypassed, FlowState.CaptureBypassed])
            {
                if (state != FlowState.Closed || timeoutClass == TimeoutClassOf(6))
                {
                    shortest = Math.Min(shortest, timeouts[TimeoutIndex(timeoutClass, false, state)]);
                }
            }
        }

        return shortest;
    }

    private static byte TimeoutClassOf(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => 1,
        IpProtocol.Udp => 2,
        IpProtocol.Icmp or IpProtocol.Icmpv6 => 3,
        _ => 0,
    };

    private int Create(ref FlowKey key, uint hash, bool sourceIsLow, in PacketLayer layer, long timestamp, ulong sourceMac, ulong destinationMac, long parentFlowId)
    {
        int slot = Table.TryAllocate(ref key, hash);
        if (slot < 0)
        {
            slot = MakeRoom(ref key, hash, timestamp);
        }

        // The sender of the first packet is the client, unless it is a TCP SYN/ACK (the server's answer).
        bool reversed = layer.Protocol == IpProtocol.Tcp && (layer.TcpFlags & (TcpSyn | TcpAck)) == (TcpSyn | TcpAck)
            && (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0;
        ref FlowSlot s = ref Table.SlotAt(slot);
        s.LastSeenNanoseconds = timestamp;
        s.TimeoutClass = TimeoutClassOf(layer.Protocol);
        if (sourceIsLow != reversed)
        {
            s.Flags |= FlowSlotFlags.ClientIsLow;
        }

        ref FlowRecord r = ref Table.RecordAt(slot);
        r.StartNanoseconds = timestamp;
        r.FlowId = _hasher.FlowId(++_sequence, _shardIndex);
        ref FlowOrigin origin = ref Table.OriginAt(slot);
        origin.ClientMac = reversed ? destinationMac : sourceMac;
        origin.ServerMac = reversed ? sourceMac : destinationMac;
        origin.TunnelParentFlowId = parentFlowId;
        Counters.Total++;
        switch (layer.Protocol)
        {
            case IpProtocol.Tcp: Counters.Tcp++; break;
            case IpProtocol.Udp: Counters.Udp++; break;
            case IpProtocol.Icmp: Counters.Icmpv4++; break;
            case IpProtocol.Icmpv6: Counters.Icmpv6++; break;
        }

        Counters.Active = Table.Active;
        return slot;
    }

    private bool Update(int slot, ref FlowSlot s, bool toServer, in PacketLayer layer, bool icmpError, long timestamp, int length)
    {
        ref FlowRecord r = ref Table.RecordAt(slot);
        byte tcpFlags = layer.Protocol == IpProtocol.Tcp && !icmpError ? layer.TcpFlags : (byte)0;
        if (toServer)
        {
            r.PacketsToServer++;
            r.BytesToServer += length;
            r.TcpFlagsToServer |= tcpFlags;
        }
        else
        {
            r.PacketsToClient++;
            r.BytesToClient += length;
            r.TcpFlagsToClient |= tcpFlags;
        }

        switch (s.State)
        {
            case FlowState.LocalBypassed:
                Counters.LocalPackets++;
                Counters.LocalBytes += length;
                if (timestamp > s.LastSeenNanoseconds)
                {
                    s.LastSeenNanoseconds = timestamp;
                }

                return true;
            case FlowState.CaptureBypassed:
                // Already in the ring when the capture took over; the last-seen time stays with the capture's answers.
                Counters.LocalCapturePackets++;
                Counters.LocalCaptureBytes += length;
                if (timestamp - s.LastSeenNanoseconds > _timeouts[TimeoutIndex(s.TimeoutClass, false, FlowState.CaptureBypassed)] / 2)
                {
                    Downgrade(slot, ref s, timestamp);
                }

                return true;
        }

        if (timestamp > s.LastSeenNanoseconds)
        {
            s.LastSeenNanoseconds = timestamp;
        }

        if (icmpError)
        {
            // An error about a flow is no evidence of two-way traffic.
            return false;
        }

        s.Flags |= toServer ? FlowSlotFlags.SeenToServer : FlowSlotFlags.SeenToClient;
        const FlowSlotFlags both = FlowSlotFlags.SeenToServer | FlowSlotFlags.SeenToClient;
        if (layer.Protocol == IpProtocol.Tcp)
        {
            if ((tcpFlags & TcpRst) != 0)
            {
                s.State = FlowState.Closed;
            }
            else
            {
                if ((tcpFlags & TcpFin) != 0)
                {
                    s.Flags |= toServer ? FlowSlotFlags.FinToServer : FlowSlotFlags.FinToClient;
                    if ((s.Flags & (FlowSlotFlags.FinToServer | FlowSlotFlags.FinToClient)) == (FlowSlotFlags.FinToServer | FlowSlotFlags.FinToClient))
                    {
                        s.State = FlowState.Closed;
                    }
                }

                if (s.State == FlowState.New && (s.Flags & both) == both && (tcpFlags & (TcpAck | TcpSyn)) == TcpAck)
                {
                    s.State = FlowState.Established;
                }
            }
        }
        else if (s.State == FlowState.New && (s.Flags & both) == both)
        {
            s.State = FlowState.Established;
        }

        return false;
    }

    private void Downgrade(int slot, ref FlowSlot s, long timestamp)
    {
        BypassRecord? record = GetBypassRecord(slot);
        if (record is not null)
        {
            Release(slot, record);
        }

        s.State = FlowState.LocalBypassed;
        s.LastSeenNanoseconds = timestamp;
        Table.Records[slot].Bypass = BypassKind.Local;
        Counters.Downgraded++;
        FlowLog.Downgraded(_logger, InterfaceName);
    }

    /// <summary>Calls the strategy's Release once per flow and folds the final counters into the stats.</summary>
    private void Release(int slot, BypassRecord record)
    {
        IBypassStrategy? strategy = record.Strategy;
        if (strategy is null || record.Released)
        {
            return;
        }

        long packets = record.PacketsToServer + record.PacketsToClient;
        long bytes = record.BytesToServer + record.BytesToClient;
        FlowTuple tuple = BuildTuple(slot);
        try
        {
            strategy.Release(in tuple, record);
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down; counted and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.Release), InterfaceName);
        }

        record.Released = true;
        Counters.BypassedPackets += record.PacketsToServer + record.PacketsToClient - packets;
        Counters.BypassedBytes += record.BytesToServer + record.BytesToClient - bytes;
    }

    private BypassRecord GetOrCreateBypassRecord(int slot)
    {
        if (_bypassColumn < 0)
        {
            throw new InvalidOperationException("no bypass_counters storage slot is registered");
        }

        object?[] column = Table.Storage[_bypassColumn];
        if (column[slot] is not BypassRecord record)
        {
            record = new BypassRecord();
            column[slot] = record;
        }

        return record;
    }

    private int MakeRoom(ref FlowKey key, uint hash, long now)
    {
        if (!Emergency)
        {
            Emergency = true;
            Counters.Emergency = 1;
            Counters.EmergencyEntered++;
            if (Table.GrowRefused)
            {
                FlowLog.GrowRefused(_logger, InterfaceName, Table.Capacity, Table.MaxCapacity);
            }

            FlowLog.EmergencyEntered(_logger, InterfaceName, Table.Capacity, _recoveryFree);
        }

        // At most one emergency pass per second of capture time: a full table must not cost a pass per packet.
        if (_lastEmergencyPass == long.MinValue || now - _lastEmergencyPass >= NanosecondsPerSecond)
        {
            _lastEmergencyPass = now;
            RunManagerPass(now, CancellationToken.None);
            int slot = Table.TryAllocate(ref key, hash);
            if (slot >= 0)
            {
                return slot;
            }
        }

        int victim = PickVictim();
        Counters.Evicted++;
        End(victim, FlowEndReason.Forced);
        Table.FreeWhenFull(victim);
        return Table.TryAllocate(ref key, hash);
    }

    /// <summary>The least recently seen of the next eight flows after the clock hand (the table is full, so all are in use).</summary>
    private int PickVictim()
    {
        int capacity = Table.Capacity;
        int best = _evictHand % capacity;
        long bestSeen = long.MaxValue;
        for (int i = 0; i < Math.Min(8, capacity); i++)
        {
            int candidate = (_evictHand + i) % capacity;
            long seen = Table.Slots[candidate].LastSeenNanoseconds;
            if (seen < bestSeen)
            {
                bestSeen = seen;
                best = candidate;
            }
        }

        _evictHand = (best + 1) % capacity;
        return best;
    }

    private readonly struct TimeoutVisitor(FlowShard shard, long now, bool emergency) : IFlowSlotVisitor
    {
        public bool Visit(int slot) => shard.ExpireIfDue(slot, now, emergency);
    }

    private readonly struct EndAllVisitor(FlowShard shard, FlowEndReason reason) : IFlowSlotVisitor
    {
        public bool Visit(int slot)
        {
            shard.End(slot, reason);
            return true;
        }
    }
}
