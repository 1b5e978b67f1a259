using Capture.Abstractions;
using FlowEngine.Decode;

namespace FlowEngine.Flows;

/// <summary>Flows the capture bypassed before this process started, recreated in the shard.</summary>
internal sealed partial class FlowShard
{
    /// <summary>
    /// Takes the restored flows of <paramref name="source"/> (once) and recreates each as a
    /// capture-bypassed flow started and last seen now (<paramref name="clock"/>), its bypass record
    /// seeded with the capture's counters and adopted by the source's strategy. From then on the
    /// normal cycle applies: <see cref="IBypassStrategy.SeenSince"/> postpones the timeout while
    /// the counters move, and every end path releases it. Runs on the worker's thread before its
    /// first batch. Returns the number of flows restored.
    /// </summary>
    public int RestoreBypassedFlows(IRestoredBypassSource source, string sourceName, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(clock);
        IReadOnlyList<RestoredBypassedFlow> flows;
        try
        {
            flows = source.TakeRestoredFlows();
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down: nothing is restored, its entries stay unowned.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, Strategy?.Name ?? sourceName, nameof(IRestoredBypassSource.TakeRestoredFlows), _interfaceName);
            return 0;
        }

        if (flows.Count == 0)
        {
            return 0;
        }

        // The worker's wall clock: restored flows exist only on live captures.
        long now = (clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        int restored = 0;
        foreach (RestoredBypassedFlow flow in flows)
        {
            if (Restore(source, in flow, now))
            {
                restored++;
            }
        }

        Counters.Active = Table.Active;
        FlowLog.FlowsRestored(_logger, restored, InterfaceName, sourceName, flows.Count - restored);
        return restored;
    }

    private bool Restore(IRestoredBypassSource source, in RestoredBypassedFlow restored, long now)
    {
        FlowTuple tuple = restored.Flow;
        PacketLayer layer = default;
        layer.Source = tuple.Source;
        layer.Destination = tuple.Destination;
        layer.SourcePort = tuple.SourcePort;
        layer.DestinationPort = tuple.DestinationPort;
        layer.Protocol = tuple.Protocol;
        layer.IsIPv6 = tuple.IsIPv6;
        layer.TunnelDepth = tuple.TunnelDepth;
        layer.Vlan0 = tuple.Vlan0;
        layer.Vlan1 = tuple.Vlan1;
        layer.Vlan2 = tuple.Vlan2;
        layer.VlanCount = tuple.Vlan2 != 0 ? (byte)3 : tuple.Vlan1 != 0 ? (byte)2 : tuple.Vlan0 != 0 ? (byte)1 : (byte)0;
        uint hash = FlowKey.FromLayer(in layer, KeyTracking, Hasher, out FlowKey key, out bool sourceIsLow);
        if (Table.Lookup(ref key, hash) >= 0)
        {
            return false; // listed twice: the first one owns it
        }

        // No TCP flags on the layer: Create takes the tuple's Source as the client, as restored.
        int slot = Tracker.Create(ref key, hash, sourceIsLow, in layer, now, 0, 0, 0);
        BypassRecord record = Bypass.GetOrCreateRecord(slot);
        record.FoldTotals(restored.PacketsToServer, restored.BytesToServer, restored.PacketsToClient, restored.BytesToClient);
        try
        {
            source.Adopt(in restored, record);
        }
#pragma warning disable CA1031 // A failing plugin must not take the worker down: the flow is kept, locally bypassed, with its counters.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Counters.StrategyErrors++;
            FlowLog.StrategyFailed(_logger, ex, Strategy?.Name ?? "restore", nameof(IRestoredBypassSource.Adopt), _interfaceName);
            Bypass.Restored(slot, record, adopted: false);
            return false;
        }

        Bypass.Restored(slot, record, adopted: true);

        // The capture dropped these before this process started; the flow's bypassed totals carry them.
        Counters.BypassedPackets += record.PacketsToServer + record.PacketsToClient;
        Counters.BypassedBytes += record.BytesToServer + record.BytesToClient;
        Counters.Restored++;
        return true;
    }
}
