using System.Diagnostics;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>
/// A shard's flow bypass (Suricata's flow-bypass): detection's bypass request, the capture's
/// liveness answers, the downgrade to a local bypass and the final release of the capture's entries.
/// </summary>
/// <remarks>
/// A flow's bypass state lives in one place, <see cref="FlowSlot.State"/>
/// (<see cref="FlowState.LocalBypassed"/>, <see cref="FlowState.CaptureBypassed"/>), and only
/// <see cref="SetState"/> changes it into or out of a bypassed state. Everything else is derived:
/// EVE's <c>bypass</c> from the state (<see cref="KindOf"/>); <see cref="BypassRecord.Released"/>
/// is the strategy's guard (cleared when the capture takes the flow, set once its entries are
/// released) and the engine never reads it to decide; <see cref="BypassRecord.Strategy"/> says whom
/// to ask; the strategy's own state is its kernel or NIC entries. See docs/FLOWS.md.
/// </remarks>
internal sealed class FlowBypass
{
    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly int _bypassColumn;
    private readonly string _interfaceName;
    private readonly ILogger _logger;
    private bool _unsupportedLogged;

    public FlowBypass(FlowTable table, FlowCounters counters, IBypassStrategy? strategy, int bypassColumn, string interfaceName, ILogger logger)
    {
        _table = table;
        _counters = counters;
        Strategy = strategy;
        _bypassColumn = bypassColumn;
        _interfaceName = interfaceName;
        _logger = logger;
    }

    /// <summary>The capture's strategy, or null when it cannot bypass.</summary>
    public IBypassStrategy? Strategy { get; }

    /// <summary>EVE's <c>flow.bypass</c> of a flow in <paramref name="state"/>.</summary>
    public static BypassKind KindOf(FlowState state) => state switch
    {
        FlowState.LocalBypassed => BypassKind.Local,
        FlowState.CaptureBypassed => BypassKind.Capture,
        _ => BypassKind.None,
    };

    /// <summary>The flow's bypass accounting record, or null when it was never bypassed.</summary>
    public BypassRecord? RecordOf(int slot) =>
        _bypassColumn >= 0 ? (BypassRecord?)_table.Storage[_bypassColumn][slot] : null;

    /// <summary>The flow's bypass accounting record, created on first use.</summary>
    public BypassRecord GetOrCreateRecord(int slot)
    {
        if (_bypassColumn < 0)
        {
            throw new InvalidOperationException("no bypass_counters storage slot is registered");
        }

        object?[] column = _table.Storage[_bypassColumn];
        if (column[slot] is not BypassRecord record)
        {
            record = new BypassRecord();
            column[slot] = record;
        }

        return record;
    }

    /// <summary>
    /// Detection asked to bypass the flow: local bypass now, then the capture's strategy, told the
    /// tunnel the flow came in (default on the wire, or when the packet is not at hand).
    /// </summary>
    public void Request(int slot, in FlowTunnel tunnel)
    {
        ref FlowSlot s = ref _table.Slots[slot];
        if (s.State is FlowState.LocalBypassed or FlowState.CaptureBypassed || (s.Flags & FlowSlotFlags.InUse) == 0)
        {
            return;
        }

        _counters.BypassRequests++;
        BypassRecord record = GetOrCreateRecord(slot);
        SetState(ref s, FlowState.LocalBypassed, record);
        IBypassStrategy? strategy = Strategy;
        if (strategy is null)
        {
            return;
        }

        FlowTuple tuple = _table.TupleAt(slot) with { Tunnel = tunnel };

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
            _counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.TryBypass), _interfaceName);
            outcome = BypassOutcome.Failed(BypassFailure.Error, ex.Message);
        }

        if (outcome.Succeeded)
        {
            record.Strategy ??= strategy;
            SetState(ref s, FlowState.CaptureBypassed, record);
            _counters.CaptureBypassSuccess++;
        }
        else if (outcome.Failure == BypassFailure.Unsupported)
        {
            // Not a failure of the capture (as in Suricata): it cannot match this flow below user
            // space, so the flow stays bypassed locally. Said once per shard where operators look,
            // then at debug level: the counter tells how often.
            _counters.CaptureBypassUnsupported++;
            if (!_unsupportedLogged)
            {
                _unsupportedLogged = true;
                FlowLog.CaptureBypassUnsupported(_logger, strategy.Name, _interfaceName, outcome.Detail, s.Key.TunnelDepth);
            }
            else
            {
                FlowLog.CaptureBypassRefused(_logger, strategy.Name, _interfaceName, outcome.Failure, outcome.Detail);
            }
        }
        else
        {
            _counters.CaptureBypassFailure++;
            FlowLog.CaptureBypassRefused(_logger, strategy.Name, _interfaceName, outcome.Failure, outcome.Detail);
        }
    }

    /// <summary>
    /// A restored flow the capture bypassed before this process started: the source adopted its
    /// entries (<paramref name="adopted"/>) and the flow is capture-bypassed, or it failed to and
    /// the flow is bypassed locally with its counters.
    /// </summary>
    public void Restored(int slot, BypassRecord record, bool adopted)
    {
        ref FlowSlot s = ref _table.Slots[slot];
        if (adopted)
        {
            record.Strategy ??= Strategy;
            SetState(ref s, FlowState.CaptureBypassed, record);
            return;
        }

        // The source failed to take the entries over: they stay unowned, nothing is to be released.
        record.Released = true;
        SetState(ref s, FlowState.LocalBypassed, record);
    }

    /// <summary>
    /// Asks the capture whether a capture-bypassed flow whose timeout passed still had packets since
    /// it was last seen, folding the capture's counters into the stats. True: it is alive.
    /// </summary>
    public bool SeenSince(int slot, long lastSeen)
    {
        Debug.Assert(_table.Slots[slot].State == FlowState.CaptureBypassed, "only the capture knows a capture-bypassed flow's packets");
        BypassRecord? record = RecordOf(slot);
        IBypassStrategy? strategy = record?.Strategy ?? Strategy;
        if (record is null || strategy is null)
        {
            return false;
        }

        FlowTuple tuple = _table.TupleAt(slot);
        long packets = record.PacketsToServer + record.PacketsToClient;
        long bytes = record.BytesToServer + record.BytesToClient;
        bool alive;
        try
        {
            alive = strategy.SeenSince(in tuple, record, lastSeen);
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down; the flow is treated as dead and released.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.SeenSince), _interfaceName);
            alive = false;
        }

        _counters.BypassedPackets += record.PacketsToServer + record.PacketsToClient - packets;
        _counters.BypassedBytes += record.BytesToServer + record.BytesToClient - bytes;
        if (!alive)
        {
            _counters.BypassedClosed++;
        }

        return alive;
    }

    /// <summary>
    /// A capture-bypassed flow still delivered long after the capture took it over (its entry is
    /// gone or never worked): its entries are released and the engine bypasses it locally.
    /// </summary>
    public void Downgrade(int slot, ref FlowSlot s, long timestamp)
    {
        SetState(ref s, FlowState.LocalBypassed, RecordOf(slot), slot);
        s.LastSeenNanoseconds = timestamp;
        _counters.Downgraded++;
        FlowLog.Downgraded(_logger, _interfaceName);
    }

    /// <summary>The flow ends: the capture's entries of a capture-bypassed flow are released (once). Its state stays for the end event.</summary>
    public void ReleaseAtEnd(int slot, ref FlowSlot s)
    {
        if (s.State == FlowState.CaptureBypassed && RecordOf(slot) is { } record)
        {
            Release(slot, record);
        }
    }

    /// <summary>
    /// The one writer of a flow's bypass state. Leaving <see cref="FlowState.CaptureBypassed"/>
    /// releases the capture's entries first (<paramref name="slot"/> is then required).
    /// </summary>
    private void SetState(ref FlowSlot s, FlowState state, BypassRecord? record, int slot = -1)
    {
        Debug.Assert(state is FlowState.LocalBypassed or FlowState.CaptureBypassed, "bypass moves a flow into a bypassed state");
        if (s.State == FlowState.CaptureBypassed && state != FlowState.CaptureBypassed && record is not null)
        {
            Debug.Assert(slot >= 0, "a release needs the flow's tuple");
            Release(slot, record);
        }

        s.State = state;
        if (state == FlowState.CaptureBypassed && record is not null)
        {
            record.Released = false;
        }
    }

    /// <summary>Calls the strategy's Release for the flow and folds the final counters into the stats.</summary>
    private void Release(int slot, BypassRecord record)
    {
        IBypassStrategy? strategy = record.Strategy;
        if (strategy is null)
        {
            return;
        }

        long packets = record.PacketsToServer + record.PacketsToClient;
        long bytes = record.BytesToServer + record.BytesToClient;
        FlowTuple tuple = _table.TupleAt(slot);
        try
        {
            strategy.Release(in tuple, record);
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down; counted and logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, strategy.Name, nameof(IBypassStrategy.Release), _interfaceName);
        }

        record.Released = true;
        _counters.BypassedPackets += record.PacketsToServer + record.PacketsToClient - packets;
        _counters.BypassedBytes += record.BytesToServer + record.BytesToClient - bytes;
    }
}
