using System.Runtime.CompilerServices;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Stream;

namespace FlowEngine.Flows;

/// <summary>
/// A shard's packet side (Suricata's flow-hash): finds or creates the flow of a packet's layer by
/// its key, counts the packet in the flow's direction and advances the flow's state (TCP's from its
/// flags). A full table asks the manager for room. A TCP SYN on a flow whose session is done starts a
/// new flow (Suricata's TCP session reuse).
/// </summary>
internal sealed class FlowTracker
{
    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly FlowStateTimeouts _timeouts;
    private readonly FlowHasher _hasher;
    private readonly FlowManager _manager;
    private readonly FlowBypass _bypass;
    private readonly TcpStreamTracker? _stream;
    private readonly int _shardIndex;
    private readonly FlowKeyTracking _keyTracking;
    private readonly bool _midstream;
    private ulong _sequence;

    public FlowTracker(FlowEngineOptions options, FlowTable table, FlowCounters counters, FlowStateTimeouts timeouts, FlowHasher hasher, int shardIndex, FlowManager manager, FlowBypass bypass, TcpStreamTracker? stream = null)
    {
        _stream = stream is { Enabled: true } ? stream : null;
        _midstream = options.Stream.Midstream || options.Stream.AsyncOneside;
        _table = table;
        _counters = counters;
        _timeouts = timeouts;
        _hasher = hasher;
        _shardIndex = shardIndex;
        _keyTracking = (options.VlanTracking ? FlowKeyTracking.Vlan : FlowKeyTracking.None)
            | (options.RecursionTracking ? FlowKeyTracking.Recursion : FlowKeyTracking.None);
        _manager = manager;
        _bypass = bypass;
    }

    public bool VlanTracking => (_keyTracking & FlowKeyTracking.Vlan) != 0;

    /// <summary>What the shard's flow keys hold besides addresses, ports and protocol.</summary>
    public FlowKeyTracking KeyTracking => _keyTracking;

    public FlowHasher Hasher => _hasher;

    /// <summary>Finds or creates the flow of a layer and counts the packet; see the other overload.</summary>
    public int Track(in PacketLayer layer, long timestamp, int length, ulong sourceMac, ulong destinationMac, long parentFlowId, out bool toServer, out bool drop)
    {
        uint hash = FlowKey.FromLayer(in layer, _keyTracking, _hasher, out FlowKey key, out bool sourceIsLow);
        return Track(ref key, hash, sourceIsLow, in layer, timestamp, length, sourceMac, destinationMac, parentFlowId, out toServer, out drop);
    }

    /// <summary>
    /// Finds or creates the flow of a layer whose key and hash are known, counts the packet in the
    /// flow's direction and advances its state. <paramref name="drop"/> is true when the flow is
    /// bypassed: the packet was counted and must not be inspected.
    /// </summary>
    public int Track(ref FlowKey key, uint hash, bool sourceIsLow, in PacketLayer layer, long timestamp, int length, ulong sourceMac, ulong destinationMac, long parentFlowId, out bool toServer, out bool drop)
    {
        int slot = _table.Lookup(ref key, hash);
        if (slot >= 0 && _stream is not null && (layer.TcpFlags & TcpFlags.Syn) != 0 && layer.Protocol == IpProtocol.Tcp
            && (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0 && SessionReused(slot, sourceIsLow, in layer))
        {
            _manager.Retire(slot);
            slot = -1;
        }

        if (slot < 0)
        {
            slot = Create(ref key, hash, sourceIsLow, in layer, timestamp, sourceMac, destinationMac, parentFlowId);
        }
        else if (_timeouts.TimedOutAtLookup(ref _table.SlotAt(slot), timestamp, _manager.Emergency))
        {
            Renew(slot, sourceIsLow, in layer, timestamp, sourceMac, destinationMac, parentFlowId);
        }

        ref FlowSlot s = ref _table.SlotAt(slot);
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

    /// <summary>Creates the flow of a layer not in the table (making room when it is full); returns its slot.</summary>
    public int Create(ref FlowKey key, uint hash, bool sourceIsLow, in PacketLayer layer, long timestamp, ulong sourceMac, ulong destinationMac, long parentFlowId)
    {
        int slot = _table.TryAllocate(ref key, hash);
        if (slot < 0)
        {
            slot = _manager.MakeRoom(ref key, hash, timestamp);
        }

        Initialize(slot, sourceIsLow, in layer, timestamp, sourceMac, destinationMac, parentFlowId);
        return slot;
    }

    /// <summary>
    /// A packet found its flow timed out (Suricata 8 at lookup): the old flow ends as the manager
    /// would have ended it, and the packet's new flow of the same key takes over the slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // Rare: kept off the lookup's path.
    private void Renew(int slot, bool sourceIsLow, in PacketLayer layer, long timestamp, ulong sourceMac, ulong destinationMac, long parentFlowId)
    {
        _manager.EndTimedOut(slot);
        _table.Renew(slot);
        Initialize(slot, sourceIsLow, in layer, timestamp, sourceMac, destinationMac, parentFlowId);
    }

    /// <summary>Fills a new flow's record from its first packet and counts it.</summary>
    private void Initialize(int slot, bool sourceIsLow, in PacketLayer layer, long timestamp, ulong sourceMac, ulong destinationMac, long parentFlowId)
    {
        // The sender of the first packet is the client, unless it is a TCP SYN/ACK (the server's answer).
        bool reversed = layer.Protocol == IpProtocol.Tcp && (layer.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack)
            && (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) == 0;
        ref FlowSlot s = ref _table.SlotAt(slot);
        s.LastSeenNanoseconds = timestamp;
        s.TimeoutClass = FlowStateTimeouts.ClassOf(layer.Protocol);
        if (sourceIsLow != reversed)
        {
            s.Flags |= FlowSlotFlags.ClientIsLow;
        }

        ref FlowRecord r = ref _table.RecordAt(slot);
        r.StartNanoseconds = timestamp;
        r.FlowId = _hasher.FlowId(++_sequence, _shardIndex);
        r.VlanCount = VlanTracking ? Math.Min(layer.VlanCount, (byte)3) : (byte)0;
        ref FlowOrigin origin = ref _table.OriginAt(slot);
        origin.ClientMac = reversed ? destinationMac : sourceMac;
        origin.ServerMac = reversed ? sourceMac : destinationMac;
        origin.TunnelParentFlowId = parentFlowId;
        _counters.Total++;
        switch (layer.Protocol)
        {
            case IpProtocol.Tcp: _counters.Tcp++; break;
            case IpProtocol.Udp: _counters.Udp++; break;
            case IpProtocol.Icmp: _counters.Icmpv4++; break;
            case IpProtocol.Icmpv6: _counters.Icmpv6++; break;
        }

        _counters.Active = _table.Active;
    }

    private bool Update(int slot, ref FlowSlot s, bool toServer, in PacketLayer layer, bool icmpError, long timestamp, int length)
    {
        ref FlowRecord r = ref _table.RecordAt(slot);
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

        if (layer.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6 && !icmpError)
        {
            RememberIcmp(ref r, toServer, in layer);
        }

        switch (s.State)
        {
            case FlowState.LocalBypassed:
                _counters.LocalPackets++;
                _counters.LocalBytes += length;
                if (timestamp > s.LastSeenNanoseconds)
                {
                    s.LastSeenNanoseconds = timestamp;
                }

                return true;
            case FlowState.CaptureBypassed:
                // Already in the ring when the capture took over; the last-seen time stays with the capture's answers.
                _counters.LocalCapturePackets++;
                _counters.LocalCaptureBytes += length;
                if (timestamp - s.LastSeenNanoseconds > _timeouts.For(s.TimeoutClass, FlowState.CaptureBypassed, emergency: false) / 2)
                {
                    _bypass.Downgrade(slot, ref s, timestamp);
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
        AdvanceState(ref s, toServer, tcpFlags, layer.Protocol == IpProtocol.Tcp);
        return false;
    }

    /// <summary>
    /// Suricata's TcpSessionPacketSsnReuse: a SYN (with midstream pick-up or one-sided tracking also a
    /// SYN/ACK) on a flow whose session is done (LAST_ACK or later, or none) starts a new flow; the same
    /// SYN again (its sequence number is the session's ISN) is a retransmission.
    /// </summary>
    private bool SessionReused(int slot, bool sourceIsLow, in PacketLayer layer)
    {
        const byte SynAck = TcpFlags.Syn | TcpFlags.Ack;
        byte flags = layer.TcpFlags;
        if ((flags & (TcpFlags.Rst | TcpFlags.Fin)) != 0)
        {
            return false;
        }

        bool syn = (flags & SynAck) == TcpFlags.Syn;
        if (!syn && !((flags & SynAck) == SynAck && _midstream))
        {
            return false;
        }

        if (_table.SlotAt(slot).State is FlowState.LocalBypassed or FlowState.CaptureBypassed)
        {
            // Its packets skip the stream tracker: the flow (and the capture's entry) stays as it is.
            return false;
        }

        TcpSession? session = _stream!.SessionAt(slot);
        if (session is null)
        {
            // A flow picked up after its handshake or never tracked.
            return true;
        }

        bool toServer = ((_table.SlotAt(slot).Flags & FlowSlotFlags.ClientIsLow) != 0) == sourceIsLow;
        if (syn && toServer)
        {
            if ((session.Flags & TcpSessionFlags.FastOpenDataIgnored) != 0)
            {
                return true;
            }

            if (session.Client.Isn == layer.TcpSequence)
            {
                return false;
            }
        }
        else if (!syn && !toServer && session.Server.Isn == layer.TcpSequence)
        {
            return false;
        }

        return session.State is >= TcpState.LastAck or TcpState.None;
    }

    /// <summary>Keeps the type and code of the flow's first ICMP packet each way, as Suricata logs them.</summary>
    private static void RememberIcmp(ref FlowRecord r, bool toServer, in PacketLayer layer)
    {
        if (toServer && r.PacketsToServer == 1)
        {
            r.IcmpTypeToServer = layer.IcmpType;
            r.IcmpCodeToServer = layer.IcmpCode;
        }
        else if (!toServer && r.PacketsToClient == 1)
        {
            r.IcmpTypeToClient = layer.IcmpType;
            r.IcmpCodeToClient = layer.IcmpCode;
        }
    }

    /// <summary>New → Established on traffic both ways (TCP: an ACK without SYN from both sides seen); TCP → Closed on RST or FIN both ways.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // Per packet: as it was before it had a name of its own.
    private static void AdvanceState(ref FlowSlot s, bool toServer, byte tcpFlags, bool tcp)
    {
        const FlowSlotFlags both = FlowSlotFlags.SeenToServer | FlowSlotFlags.SeenToClient;
        if (!tcp)
        {
            if (s.State == FlowState.New && (s.Flags & both) == both)
            {
                s.State = FlowState.Established;
            }

            return;
        }

        if ((tcpFlags & TcpFlags.Rst) != 0)
        {
            s.State = FlowState.Closed;
            return;
        }

        if ((tcpFlags & TcpFlags.Fin) != 0)
        {
            s.Flags |= toServer ? FlowSlotFlags.FinToServer : FlowSlotFlags.FinToClient;
            if ((s.Flags & (FlowSlotFlags.FinToServer | FlowSlotFlags.FinToClient)) == (FlowSlotFlags.FinToServer | FlowSlotFlags.FinToClient))
            {
                s.State = FlowState.Closed;
            }
        }

        if (s.State == FlowState.New && (s.Flags & both) == both && (tcpFlags & (TcpFlags.Ack | TcpFlags.Syn)) == TcpFlags.Ack)
        {
            s.State = FlowState.Established;
        }
    }
}
