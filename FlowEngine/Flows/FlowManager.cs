using System.Diagnostics;
using Capture.Abstractions;
using FlowEngine.Configuration;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>
/// A shard's flow manager (Suricata's flow-manager): the timeout pass, the capture's liveness
/// question for capture-bypassed flows (<see cref="IBypassStrategy.SeenSince"/>), emergency mode
/// and eviction when the table is full. Runs on the shard's worker thread.
/// </summary>
internal sealed class FlowManager
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>How many flows after the clock hand an eviction compares.</summary>
    private const int EvictionCandidates = 8;

    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly FlowStateTimeouts _timeouts;
    private readonly FlowBypass _bypass;
    private readonly FlowEnd _end;
    private readonly int _recoveryFree;
    private readonly string _interfaceName;
    private readonly ILogger _logger;
    private long _lastEmergencyPass = long.MinValue;
    private int _evictHand;
    private long _nextDue = long.MinValue;
    private long _lastPassAt = long.MaxValue;
    private long _scanDue;

    public FlowManager(FlowEngineOptions options, FlowTable table, FlowCounters counters, FlowStateTimeouts timeouts, FlowBypass bypass, FlowEnd end, string interfaceName, ILogger logger)
    {
        _table = table;
        _counters = counters;
        _timeouts = timeouts;
        _bypass = bypass;
        _end = end;
        _recoveryFree = Math.Max(1, (int)((long)table.MaxCapacity * Math.Clamp(options.EmergencyRecovery, 1, 100) / 100));
        _interfaceName = interfaceName;
        _logger = logger;
    }

    /// <summary>Whether the table filled up and emergency timeouts apply until enough flows are free.</summary>
    public bool Emergency { get; private set; }

    /// <summary>Free flows that end emergency mode (<c>emergency-recovery</c> percent of the largest table).</summary>
    public int RecoveryFree => _recoveryFree;

    /// <summary>
    /// The timeout pass: ends every flow whose state's timeout has passed at <paramref name="now"/>,
    /// asking the capture before ending a capture-bypassed one. Notices <paramref name="stop"/>
    /// within a few thousand slots. Returns whether it completed.
    /// </summary>
    public bool RunPass(long now, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        TimeoutVisitor visitor = new(this, now, Emergency);
        _scanDue = long.MaxValue;
        bool completed = _table.Scan(ref visitor, stop, out int visited);

        // Nothing is due before the earliest deadline among the flows this pass kept, nor before the
        // shortest timeout from now for a flow created or changed after it (its packets are not older
        // than now, up to the capture's reordering).
        _nextDue = completed ? Math.Min(_scanDue, now + _timeouts.ShortestReachable) : long.MinValue;
        _lastPassAt = now;
        _counters.ManagerPasses++;
        _counters.ManagerChecked += visited;
        _counters.ManagerNanoseconds += (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds;
        if (!completed)
        {
            _counters.ManagerStopped++;
        }

        if (Emergency && _table.MaxCapacity - _table.Active >= _recoveryFree)
        {
            Emergency = false;
            _counters.Emergency = 0;
            _counters.EmergencyOver++;
            FlowLog.EmergencyOver(_logger, _interfaceName, _table.MaxCapacity - _table.Active);
        }

        _counters.Active = _table.Active;
        return completed;
    }

    /// <summary>
    /// The periodic call: <see cref="RunPass"/>, unless the last complete pass showed that no flow
    /// can be due yet (as Suricata's manager skips hash rows by their next timeout). Never skips in
    /// emergency mode, whose end a pass decides.
    /// </summary>
    public bool RunPassIfDue(long now, CancellationToken stop)
    {
        // A clock that went back (a new capture, a wall-clock step) gets a pass: the bound assumed time moves on.
        if (!Emergency && now < _nextDue && now >= _lastPassAt)
        {
            _counters.ManagerSkipped++;
            return true;
        }

        return RunPass(now, stop);
    }

    /// <summary>
    /// Retires a TCP flow whose key a new session took over (Suricata's TCP session reuse): lookups
    /// pass it by from now on and the next pass, due at once, ends it with reason <c>tcp_reuse</c>.
    /// </summary>
    public void Retire(int slot)
    {
        _table.SlotAt(slot).Flags |= FlowSlotFlags.Reused;
        _counters.TcpReuse++;
        _nextDue = long.MinValue;
    }

    /// <summary>Ends every flow (end of capture, shutdown).</summary>
    public void EndAll(FlowEndReason reason)
    {
        EndAllVisitor visitor = new(_end, _table, reason);
        _table.FreeAll(ref visitor);
        _nextDue = long.MinValue;
        _counters.Active = _table.Active;
    }

    /// <summary>The decision for one flow: true when it ended (the scan frees its slot).</summary>
    public bool ExpireIfDue(int slot, long now, bool emergency)
    {
        ref FlowSlot s = ref _table.Slots[slot];
        if ((s.Flags & FlowSlotFlags.Reused) != 0)
        {
            // Replaced by a new session on its ports: Suricata evicts it at once.
            _end.End(slot, FlowEndReason.TcpReuse);
            return true;
        }

        long timeout = _timeouts.For(s.TimeoutClass, s.State, emergency);
        long deadline = s.LastSeenNanoseconds + timeout;
        if (deadline > now)
        {
            _scanDue = Math.Min(_scanDue, deadline);
            return false;
        }

        if (s.State == FlowState.CaptureBypassed && _bypass.SeenSince(slot, s.LastSeenNanoseconds))
        {
            s.LastSeenNanoseconds = Math.Max(s.LastSeenNanoseconds, now);
            _scanDue = Math.Min(_scanDue, s.LastSeenNanoseconds + timeout);
            return false;
        }

        _counters.TimedOut++;
        _end.End(slot, FlowEndReason.Timeout);
        return true;
    }

    /// <summary>Ends a flow that a packet's lookup found timed out; the caller renews its slot for the packet's flow.</summary>
    public void EndTimedOut(int slot)
    {
        _counters.EvictedAtLookup++;
        _end.End(slot, FlowEndReason.Timeout);
    }

    /// <summary>
    /// A slot for a new flow in a full table: enters emergency mode, runs an emergency pass (at most
    /// one per second of capture time), and when that frees nothing, evicts one flow.
    /// </summary>
    public int MakeRoom(ref FlowKey key, uint hash, long now)
    {
        if (!Emergency)
        {
            Emergency = true;
            _counters.Emergency = 1;
            _counters.EmergencyEntered++;
            if (_table.GrowRefused)
            {
                FlowLog.GrowRefused(_logger, _interfaceName, _table.Capacity, _table.MaxCapacity);
            }

            FlowLog.EmergencyEntered(_logger, _interfaceName, _table.Capacity, _recoveryFree);
        }

        // A full table must not cost a pass per packet.
        if (_lastEmergencyPass == long.MinValue || now - _lastEmergencyPass >= NanosecondsPerSecond)
        {
            _lastEmergencyPass = now;
            RunPass(now, CancellationToken.None);
            int slot = _table.TryAllocate(ref key, hash);
            if (slot >= 0)
            {
                return slot;
            }
        }

        int victim = PickVictim();
        _counters.Evicted++;
        _end.End(victim, FlowEndReason.Forced);
        _table.FreeWhenFull(victim);
        int created = _table.TryAllocate(ref key, hash);
        Debug.Assert(created == victim, "the evicted flow's slot is the only free one");
        return created;
    }

    /// <summary>The least recently seen of the next eight flows after the clock hand (the table is full, so all are in use).</summary>
    private int PickVictim()
    {
        int capacity = _table.Capacity;
        int best = _evictHand % capacity;
        long bestSeen = long.MaxValue;
        for (int i = 0; i < Math.Min(EvictionCandidates, capacity); i++)
        {
            int candidate = (_evictHand + i) % capacity;
            Debug.Assert((_table.Slots[candidate].Flags & FlowSlotFlags.InUse) != 0, "a full table has every slot in use");
            long seen = _table.Slots[candidate].LastSeenNanoseconds;
            if (seen < bestSeen)
            {
                bestSeen = seen;
                best = candidate;
            }
        }

        _evictHand = (best + 1) % capacity;
        return best;
    }

    private readonly struct TimeoutVisitor(FlowManager manager, long now, bool emergency) : IFlowSlotVisitor
    {
        public bool Visit(int slot) => manager.ExpireIfDue(slot, now, emergency);
    }

    private readonly struct EndAllVisitor(FlowEnd end, FlowTable table, FlowEndReason reason) : IFlowSlotVisitor
    {
        public bool Visit(int slot)
        {
            end.End(slot, (table.SlotAt(slot).Flags & FlowSlotFlags.Reused) != 0 ? FlowEndReason.TcpReuse : reason);
            return true;
        }
    }
}
