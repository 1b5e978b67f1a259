namespace FlowEngine.Flows;

/// <summary>
/// Counters of one shard. Written by the shard's worker only; other threads read them for stats
/// snapshots (64-bit reads are atomic; a snapshot taken while running may lag by a packet).
/// </summary>
internal sealed class FlowCounters
{
    public long Total;
    public long Tcp;
    public long Udp;
    public long Icmpv4;
    public long Icmpv6;
    public long Active;
    public long EmergencyEntered;
    public long EmergencyOver;
    public long Emergency;
    public long Evicted;
    public long TimedOut;

    /// <summary>Flows a packet's lookup found timed out and ended (Suricata's <c>flow.wrk.flows_evicted</c>).</summary>
    public long EvictedAtLookup;
    public long ManagerPasses;
    public long ManagerChecked;
    public long ManagerStopped;
    public long ManagerSkipped;
    public long ManagerNanoseconds;
    public long EndedAtShutdown;
    public long Packets;
    public long PacketsWithoutFlow;
    public long LocalPackets;
    public long LocalBytes;
    public long LocalCapturePackets;
    public long LocalCaptureBytes;
    public long BypassedClosed;
    public long BypassedPackets;
    public long BypassedBytes;
    public long BypassRequests;
    public long CaptureBypassSuccess;
    public long CaptureBypassFailure;

    /// <summary>Requests the capture cannot match below user space (protocol, tunnel): the flow stays bypassed locally.</summary>
    public long CaptureBypassUnsupported;
    public long Downgraded;
    public long StrategyErrors;
    public long SinkErrors;
    public long EndNew;
    public long EndEstablished;
    public long EndClosed;
    public long EndLocalBypassed;
    public long EndCaptureBypassed;
    public long Restored;
    public long TcpReuse;
    public long TcpSessions;
    public long TcpMidstreamPickups;
    public long TcpStreamDepthReached;
    public long TcpAckUnseenData;

    /// <summary>Adds another shard's counters (for a snapshot).</summary>
    public void Add(FlowCounters o)
    {
        Total += Volatile.Read(ref o.Total);
        Tcp += Volatile.Read(ref o.Tcp);
        Udp += Volatile.Read(ref o.Udp);
        Icmpv4 += Volatile.Read(ref o.Icmpv4);
        Icmpv6 += Volatile.Read(ref o.Icmpv6);
        Active += Volatile.Read(ref o.Active);
        EmergencyEntered += Volatile.Read(ref o.EmergencyEntered);
        EmergencyOver += Volatile.Read(ref o.EmergencyOver);
        Emergency += Volatile.Read(ref o.Emergency);
        Evicted += Volatile.Read(ref o.Evicted);
        TimedOut += Volatile.Read(ref o.TimedOut);
        EvictedAtLookup += Volatile.Read(ref o.EvictedAtLookup);
        ManagerPasses += Volatile.Read(ref o.ManagerPasses);
        ManagerChecked += Volatile.Read(ref o.ManagerChecked);
        ManagerStopped += Volatile.Read(ref o.ManagerStopped);
        ManagerSkipped += Volatile.Read(ref o.ManagerSkipped);
        ManagerNanoseconds += Volatile.Read(ref o.ManagerNanoseconds);
        EndedAtShutdown += Volatile.Read(ref o.EndedAtShutdown);
        Packets += Volatile.Read(ref o.Packets);
        PacketsWithoutFlow += Volatile.Read(ref o.PacketsWithoutFlow);
        LocalPackets += Volatile.Read(ref o.LocalPackets);
        LocalBytes += Volatile.Read(ref o.LocalBytes);
        LocalCapturePackets += Volatile.Read(ref o.LocalCapturePackets);
        LocalCaptureBytes += Volatile.Read(ref o.LocalCaptureBytes);
        BypassedClosed += Volatile.Read(ref o.BypassedClosed);
        BypassedPackets += Volatile.Read(ref o.BypassedPackets);
        BypassedBytes += Volatile.Read(ref o.BypassedBytes);
        BypassRequests += Volatile.Read(ref o.BypassRequests);
        CaptureBypassSuccess += Volatile.Read(ref o.CaptureBypassSuccess);
        CaptureBypassFailure += Volatile.Read(ref o.CaptureBypassFailure);
        CaptureBypassUnsupported += Volatile.Read(ref o.CaptureBypassUnsupported);
        Downgraded += Volatile.Read(ref o.Downgraded);
        StrategyErrors += Volatile.Read(ref o.StrategyErrors);
        SinkErrors += Volatile.Read(ref o.SinkErrors);
        EndNew += Volatile.Read(ref o.EndNew);
        EndEstablished += Volatile.Read(ref o.EndEstablished);
        EndClosed += Volatile.Read(ref o.EndClosed);
        EndLocalBypassed += Volatile.Read(ref o.EndLocalBypassed);
        EndCaptureBypassed += Volatile.Read(ref o.EndCaptureBypassed);
        Restored += Volatile.Read(ref o.Restored);
        TcpReuse += Volatile.Read(ref o.TcpReuse);
        TcpSessions += Volatile.Read(ref o.TcpSessions);
        TcpMidstreamPickups += Volatile.Read(ref o.TcpMidstreamPickups);
        TcpStreamDepthReached += Volatile.Read(ref o.TcpStreamDepthReached);
        TcpAckUnseenData += Volatile.Read(ref o.TcpAckUnseenData);
    }

    /// <summary>The counters in EVE stats names.</summary>
    public IEnumerable<KeyValuePair<string, long>> Enumerate()
    {
        yield return new("flow.total", Total);
        yield return new("flow.active", Active);
        yield return new("flow.tcp", Tcp);
        yield return new("flow.udp", Udp);
        yield return new("flow.icmpv4", Icmpv4);
        yield return new("flow.icmpv6", Icmpv6);
        yield return new("flow.tcp_reuse", TcpReuse);
        yield return new("flow.emerg_mode_entered", EmergencyEntered);
        yield return new("flow.emerg_mode_over", EmergencyOver);
        yield return new("flow.emergency", Emergency);
        yield return new("flow.get_used", Evicted);
        yield return new("flow.evicted", Evicted);
        yield return new("flow.mgr.flows_timeout", TimedOut);
        yield return new("flow.wrk.flows_evicted", EvictedAtLookup);
        yield return new("flow.mgr.full_hash_pass", ManagerPasses);
        yield return new("flow.mgr.flows_checked", ManagerChecked);
        yield return new("flow.mgr.pass_stopped", ManagerStopped);
        yield return new("flow.mgr.pass_skipped", ManagerSkipped);
        yield return new("flow.end.shutdown", EndedAtShutdown);
        yield return new("flow.no_flow_pkts", PacketsWithoutFlow);
        yield return new("flow.end.state.new", EndNew);
        yield return new("flow.end.state.established", EndEstablished);
        yield return new("flow.end.state.closed", EndClosed);
        yield return new("flow.end.state.local_bypassed", EndLocalBypassed);
        yield return new("flow.end.state.capture_bypassed", EndCaptureBypassed);
        yield return new("flow_bypassed.local_pkts", LocalPackets);
        yield return new("flow_bypassed.local_bytes", LocalBytes);
        yield return new("flow_bypassed.local_capture_pkts", LocalCapturePackets);
        yield return new("flow_bypassed.local_capture_bytes", LocalCaptureBytes);
        yield return new("flow_bypassed.closed", BypassedClosed);
        yield return new("flow_bypassed.pkts", BypassedPackets);
        yield return new("flow_bypassed.bytes", BypassedBytes);
        yield return new("flow_bypassed.requests", BypassRequests);
        yield return new("flow_bypassed.capture_success", CaptureBypassSuccess);
        yield return new("flow_bypassed.capture_failure", CaptureBypassFailure);
        yield return new("flow_bypassed.capture_unsupported", CaptureBypassUnsupported);
        yield return new("flow_bypassed.downgraded", Downgraded);
        yield return new("flow_bypassed.strategy_errors", StrategyErrors);
        yield return new("flow_bypassed.restored", Restored);
        yield return new("flow.output_errors", SinkErrors);
        yield return new("tcp.sessions", TcpSessions);
        yield return new("tcp.midstream_pickups", TcpMidstreamPickups);
        yield return new("tcp.stream_depth_reached", TcpStreamDepthReached);
        yield return new("tcp.ack_unseen_data", TcpAckUnseenData);
    }
}
