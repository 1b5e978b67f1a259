using Capture.Abstractions;
using FlowEngine.Output;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Flows;

/// <summary>
/// A flow's end, whatever ended it (timeout, eviction, end of capture, shutdown): the final release
/// of the capture's entries, the end-state counters and the <see cref="FlowEndEvent"/> handed to the
/// sink. The caller frees the slot.
/// </summary>
internal sealed class FlowEnd
{
    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly FlowBypass _bypass;
    private readonly IFlowEventSink _sink;
    private readonly string _interfaceName;
    private readonly ILogger _logger;

    public FlowEnd(FlowTable table, FlowCounters counters, FlowBypass bypass, IFlowEventSink sink, string interfaceName, ILogger logger)
    {
        _table = table;
        _counters = counters;
        _bypass = bypass;
        _sink = sink;
        _interfaceName = interfaceName;
        _logger = logger;
    }

    /// <summary>Ends the flow in <paramref name="slot"/>; the slot stays in use until the caller frees it.</summary>
    public void End(int slot, FlowEndReason reason)
    {
        ref FlowSlot s = ref _table.Slots[slot];
        ref FlowRecord r = ref _table.Records[slot];
        ref FlowOrigin origin = ref _table.OriginAt(slot);
        _bypass.ReleaseAtEnd(slot, ref s);
        BypassRecord? record = _bypass.RecordOf(slot);
        switch (s.State)
        {
            case FlowState.New: _counters.EndNew++; break;
            case FlowState.Established: _counters.EndEstablished++; break;
            case FlowState.Closed: _counters.EndClosed++; break;
            case FlowState.LocalBypassed: _counters.EndLocalBypassed++; break;
            default: _counters.EndCaptureBypassed++; break;
        }

        if (reason == FlowEndReason.Shutdown)
        {
            _counters.EndedAtShutdown++;
        }

        long bpts = record?.PacketsToServer ?? 0;
        long bptc = record?.PacketsToClient ?? 0;
        long bbts = record?.BytesToServer ?? 0;
        long bbtc = record?.BytesToClient ?? 0;
        FlowEndEvent flowEnd = new()
        {
            FlowId = r.FlowId,
            Tuple = _table.TupleAt(slot),
            VlanCount = r.VlanCount,
            InterfaceName = _interfaceName,
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
            Bypass = FlowBypass.KindOf(s.State),
            HasBypassCounters = record is not null,
            TcpFlagsToServer = r.TcpFlagsToServer,
            TcpFlagsToClient = r.TcpFlagsToClient,
            IcmpTypeToServer = r.IcmpTypeToServer,
            IcmpCodeToServer = r.IcmpCodeToServer,
            IcmpTypeToClient = r.IcmpTypeToClient,
            IcmpCodeToClient = r.IcmpCodeToClient,
            SourceMac = origin.ClientMac,
            DestinationMac = origin.ServerMac,
            TunnelParentFlowId = origin.TunnelParentFlowId,
            Alerted = (s.Flags & FlowSlotFlags.Alerted) != 0,
            AppProtocol = r.AppProtocol,
            Passed = r.Passed,
            Dropped = r.Dropped,
            Accepted = r.Accepted,
            ExceptionPolicy = r.ExceptionPolicy,
        };

        try
        {
            _sink.OnFlowEnd(in flowEnd);
        }
#pragma warning disable CA1031 // An output failure must not lose the table's consistency or the other flows.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _counters.SinkErrors++;
            FlowLog.SinkFailed(_logger, ex, _interfaceName);
        }
    }
}
