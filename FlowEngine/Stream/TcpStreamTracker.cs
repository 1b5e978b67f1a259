using Capture.Abstractions;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;

namespace FlowEngine.Stream;

/// <summary>
/// One shard's TCP stream tracker, Suricata's stream engine without reassembly: per flow a
/// <see cref="TcpSession"/> (kept in the flow's storage) follows the handshake, sequence and
/// acknowledgement numbers, windows, timestamps (PAWS) and the close, raises Suricata's stream
/// events on the packets that break them, counts each direction's bytes against
/// <c>stream.reassembly.depth</c> and, inline with <c>drop-invalid</c>, drops the packets it
/// rejects. The receiving host's <c>host-os-policy</c> (BSD by default) decides on timestamps and
/// RSTs. Runs on the shard's worker thread, per TCP packet. Sessions are structs in an array of
/// the tracker's indexed by flow slot (grown as the table hands out higher slots), each stamped with
/// its flow's id: a slot's next flow finds a stale id and starts afresh. Nothing is allocated per
/// session or per packet.
/// </summary>
internal sealed partial class TcpStreamTracker
{
    private const int MaxEvents = 8;

    /// <summary>RFC 7323's limit on a timestamp's age: a stream silent longer than 24 days resets PAWS.</summary>
    private const uint Paws24Days = 24 * 24 * 60 * 60;

    /// <summary>Window scaling assumed for sessions picked up midstream (the largest allowed).</summary>
    private const byte MaxWindowScale = 14;

    /// <summary>Session slots to start with; doubled as flows take higher slots.</summary>
    private const int InitialSessions = 256;

    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly bool _enabled;
    private readonly bool _midstream;
    private readonly bool _async;
    private readonly bool _inline;
    private readonly bool _dropInvalid;
    private readonly bool _liberalTimestamps;
    private readonly uint _depth;
    private readonly OsPolicyTable _policies;
    private TcpSession[] _sessions = new TcpSession[InitialSessions];
    private readonly StreamEvent[] _events = new StreamEvent[MaxEvents];
    private int _eventCount;
    private bool _dropped;
    private FlowAddress _source;
    private FlowAddress _destination;
    private bool _isIPv6;

    /// <summary>A tracker of the flows of <paramref name="table"/>; <paramref name="enabled"/> false turns it off.</summary>
    public TcpStreamTracker(TcpStreamOptions options, FlowTable table, FlowCounters counters, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(options);
        _table = table;
        _counters = counters;
        _enabled = enabled;
        _midstream = options.Midstream;
        _async = options.AsyncOneside;
        _inline = options.Inline;
        _dropInvalid = options.DropInvalid;
        _liberalTimestamps = options.LiberalTimestamps;
        _depth = (uint)Math.Clamp(options.ReassemblyDepth, 0, uint.MaxValue);
        _policies = new OsPolicyTable(options.HostOsPolicies);
    }

    /// <summary>Whether sessions are tracked.</summary>
    public bool Enabled => _enabled;

    /// <summary>The events the last tracked packet raised (valid until the next packet).</summary>
    public ReadOnlySpan<StreamEvent> PacketEvents => new(_events, 0, _eventCount);

    /// <summary>Whether the last tracked packet was rejected and, inline with drop-invalid, is to be dropped ("stream error").</summary>
    public bool PacketDropped => _dropped;

    /// <summary>Whether the flow in <paramref name="slot"/> has a session.</summary>
    public bool HasSession(int slot) =>
        _enabled && (uint)slot < (uint)_sessions.Length && _sessions[slot].State != TcpState.None
        && _sessions[slot].FlowId == _table.RecordAt(slot).FlowId;

    /// <summary>The session of the flow in <paramref name="slot"/>; valid only where <see cref="HasSession"/> says so.</summary>
    public ref TcpSession SessionAt(int slot)
    {
        Debug.Assert(HasSession(slot), "a session of this flow");
        return ref _sessions[slot];
    }

    /// <summary>The state of the flow's session, <see cref="TcpState.None"/> without one.</summary>
    public TcpState StateAt(int slot) => HasSession(slot) ? _sessions[slot].State : TcpState.None;

    /// <summary>Forgets the last packet's events (for a packet the tracker does not see).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear()
    {
        _eventCount = 0;
        _dropped = false;
    }

    /// <summary>Tracks one TCP packet of the flow in <paramref name="slot"/>; its events and verdict are then in <see cref="PacketEvents"/> and <see cref="PacketDropped"/>.</summary>
    public void Track(int slot, bool toServer, in PacketLayer layer, ReadOnlySpan<byte> bytes, long timestampNanoseconds)
    {
        _eventCount = 0;
        _dropped = false;
        if (!_enabled || !TcpSegment.TryRead(bytes, in layer, timestampNanoseconds, out TcpSegment segment))
        {
            return;
        }

        if ((uint)slot >= (uint)_sessions.Length)
        {
            Grow(slot);
        }

        ref TcpSession session = ref _sessions[slot];
        long flowId = _table.RecordAt(slot).FlowId;
        if (session.FlowId != flowId)
        {
            // The slot's last session was another flow's.
            session = default;
            session.FlowId = flowId;
        }

        if (session.State == TcpState.None)
        {
            // Kept for a new session's host policies.
            _source = layer.Source;
            _destination = layer.Destination;
            _isIPv6 = layer.IsIPv6;
        }

        bool accepted = Packet(ref session, in segment, toServer);
        if (!accepted && _inline && _dropInvalid)
        {
            _dropped = true;
        }
    }

    /// <summary>Suricata's StreamTcpPacket: the checks before the state, then the state's handler. False when the packet is rejected.</summary>
    private bool Packet(ref TcpSession s, in TcpSegment p, bool toServer)
    {
        if (!p.IsAck && p.Ack != 0)
        {
            // Broken TCP: an acknowledgement number without the ACK flag.
            SetEvent(StreamEvent.PacketBrokenAck);
        }

        if (s.State == TcpState.None)
        {
            return StateNone(ref s, in p, toServer);
        }

        s.TrackFlags(p.Flags, toServer);
        if (IsKeepAlive(ref s, in p, toServer))
        {
            CheckPostRst(ref s, in p, toServer);
            return true;
        }

        if (IsKeepAliveAck(ref s, in p, toServer))
        {
            Sender(ref s, toServer).Flags &= ~TcpStreamFlags.KeepAlive;
            CheckPostRst(ref s, in p, toServer);
            return true;
        }

        Sender(ref s, toServer).Flags &= ~TcpStreamFlags.KeepAlive;
        bool zeroWindowProbeAck = IsZeroWindowProbeAck(ref s, in p, toServer);
        s.Flags &= toServer ? ~TcpSessionFlags.ZeroWindowProbeToClient : ~TcpSessionFlags.ZeroWindowProbeToServer;
        if (zeroWindowProbeAck)
        {
            CheckPostRst(ref s, in p, toServer);
            return true;
        }

        if (!IsFinShutdownAck(ref s, in p, toServer) && !IsWindowUpdate(ref s, in p, toServer)
            && (IsBadWindowUpdate(ref s, in p, toServer) || IsOutdatedAck(ref s, in p, toServer)))
        {
            CheckPostRst(ref s, in p, toServer);
            return true;
        }

        int spurious = SpuriousRetransmission(ref s, in p, toServer);
        if (spurious > 0)
        {
            SetEvent(StreamEvent.PacketSpuriousRetransmission);
            if (spurious == 2)
            {
                CheckPostRst(ref s, in p, toServer);
                return true;
            }
        }

        if (!Dispatch(ref s, in p, toServer, s.State))
        {
            return false;
        }

        CheckPostRst(ref s, in p, toServer);
        return true;
    }

    private bool Dispatch(ref TcpSession s, in TcpSegment p, bool toServer, TcpState state) => state switch
    {
        TcpState.SynSent => SynSent(ref s, in p, toServer),
        TcpState.SynRecv => SynRecv(ref s, in p, toServer),
        TcpState.Established => Established(ref s, in p, toServer),
        TcpState.FinWait1 or TcpState.FinWait2 or TcpState.Closing or TcpState.CloseWait or TcpState.LastAck or TcpState.TimeWait => Closing(ref s, in p, toServer, state),
        TcpState.Closed => Closed(ref s, in p, toServer),
        _ => true,
    };

    /// <summary>No session yet: a SYN starts one; with midstream pick-up an ACK, FIN with data or SYN/ACK does too.</summary>
    private bool StateNone(ref TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsRst)
        {
            return Reject(StreamEvent.RstButNoSession);
        }

        if (p.IsFin)
        {
            if (!_midstream || p.PayloadLength == 0)
            {
                return Reject(StreamEvent.FinButNoSession);
            }

            NewSession(ref s, midstream: true, toServer);
            s.SetState(TcpState.FinWait1);
            PickUpMidstream(ref s, in p);
            s.Client.NextSeq = p.Seq + p.PayloadLength + 1;
            HandleSegment(ref s.Client, in p);
            return true;
        }

        if (p.IsSynAck)
        {
            if (!_midstream && !_async)
            {
                return true;
            }

            // The engine made the SYN/ACK's receiver the client: the packet goes to the client.
            NewSession(ref s, midstream: true, toServer);
            s.SetState(TcpState.SynRecv);
            s.Flags |= TcpSessionFlags.Midstream | TcpSessionFlags.MidstreamSynAck | (_async ? TcpSessionFlags.Async : 0);
            s.Server.Isn = p.Seq;
            s.Server.NextSeq = p.Seq + 1;
            s.Server.Window = p.Window;
            s.Client.Isn = p.Ack - 1;
            s.Client.NextSeq = p.Ack;
            s.Client.LastAck = p.Ack;
            s.Server.LastAck = p.Seq;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            if (p.HasWindowScale)
            {
                s.Client.WindowScale = p.WindowScale;
                s.Server.WindowScale = MaxWindowScale;
            }

            if (p.HasTimestamp)
            {
                TakeTimestamps(ref s, ref s.Server, ref s.Client, in p);
            }

            if (p.SackPermitted)
            {
                s.Flags |= TcpSessionFlags.SackOk;
            }

            return true;
        }

        if (p.IsSyn)
        {
            NewSession(ref s, midstream: false, toServer);
            s.SetState(TcpState.SynSent);
            if (_async)
            {
                s.Flags |= TcpSessionFlags.Async;
            }

            s.Client.Isn = p.Seq;
            s.Client.NextSeq = p.Seq + 1;
            ApplySyn(ref s, in p);
            if (p.HasFastOpen)
            {
                s.Flags |= TcpSessionFlags.FastOpen;
                if (p.PayloadLength > 0)
                {
                    s.Client.NextSeq += p.PayloadLength;
                    HandleSegment(ref s.Client, in p);
                }
            }

            return true;
        }

        if (p.IsAck)
        {
            if (!_midstream)
            {
                return true;
            }

            NewSession(ref s, midstream: true, toServer);
            s.SetState(TcpState.Established);
            PickUpMidstream(ref s, in p);
            HandleSegment(ref s.Client, in p);
            return true;
        }

        return true;
    }

    private void NewSession(ref TcpSession s, bool midstream, bool toServer)
    {
        s.Reset();
        s.Client.OsPolicy = _policies.Of(toServer ? _source : _destination, _isIPv6);
        s.Server.OsPolicy = _policies.Of(toServer ? _destination : _source, _isIPv6);
        _counters.TcpSessions++;
        if (midstream)
        {
            _counters.TcpMidstreamPickups++;
        }
    }

    /// <summary>Lengthens the session array to cover <paramref name="slot"/> (the table's slots, doubled at most to its capacity).</summary>
    private void Grow(int slot)
    {
        int length = _sessions.Length;
        while (length <= slot)
        {
            length *= 2;
        }

        Array.Resize(ref _sessions, Math.Max(slot + 1, Math.Min(length, _table.Capacity)));
    }

    /// <summary>The SYN's settings of the client (timestamp, window, scale, SACK), from a first SYN or a retransmitted one.</summary>
    private static void ApplySyn(ref TcpSession s, in TcpSegment p)
    {
        if (p.HasTimestamp)
        {
            s.Client.LastTs = p.TsVal;
            s.Client.Flags |= TcpStreamFlags.Timestamp;
            s.Client.LastPacketTs = p.Seconds;
            if (p.TsVal == 0)
            {
                s.Client.Flags |= TcpStreamFlags.ZeroTimestamp;
            }
        }

        s.Server.Window = p.Window;
        if (p.HasWindowScale)
        {
            s.Flags |= TcpSessionFlags.ServerWindowScale;
            s.Server.WindowScale = p.WindowScale;
        }
        else
        {
            s.Flags &= ~TcpSessionFlags.ServerWindowScale;
            s.Server.WindowScale = 0;
        }

        if (p.SackPermitted)
        {
            s.Flags |= TcpSessionFlags.ClientSackOk;
        }
        else
        {
            s.Flags &= ~TcpSessionFlags.ClientSackOk;
        }
    }

    /// <summary>A session picked up on an ACK or FIN from the client: both sides' numbers guessed from it, the largest window scale assumed.</summary>
    private void PickUpMidstream(ref TcpSession s, in TcpSegment p)
    {
        s.Flags = TcpSessionFlags.Midstream | TcpSessionFlags.MidstreamEstablished | TcpSessionFlags.SackOk | (_async ? TcpSessionFlags.Async : 0);
        s.Client.WindowScale = MaxWindowScale;
        s.Server.WindowScale = MaxWindowScale;
        s.Client.Isn = p.Seq - 1;
        s.Client.NextSeq = p.Seq + p.PayloadLength;
        s.Client.Window = (uint)p.Window << s.Client.WindowScale;
        s.Client.LastAck = p.Seq;
        s.Client.NextWin = s.Client.LastAck + s.Client.Window;
        s.Server.Isn = p.Ack - 1;
        s.Server.NextSeq = s.Server.Isn + 1;
        s.Server.LastAck = p.Ack;
        s.Server.NextWin = s.Server.LastAck;
        if (p.HasTimestamp)
        {
            TakeTimestamps(ref s, ref s.Client, ref s.Server, in p);
        }
    }

    /// <summary>A session picked up midstream takes both sides' timestamps from the sender's packet (its TSval and the echoed TSecr).</summary>
    private static void TakeTimestamps(ref TcpSession s, ref TcpStream sender, ref TcpStream other, in TcpSegment p)
    {
        sender.LastTs = p.TsVal;
        other.LastTs = p.TsEcr;
        s.Flags |= TcpSessionFlags.Timestamp;
        sender.LastPacketTs = p.Seconds;
        if (s.Server.LastTs == 0)
        {
            s.Server.Flags |= TcpStreamFlags.ZeroTimestamp;
        }

        if (s.Client.LastTs == 0)
        {
            s.Client.Flags |= TcpStreamFlags.ZeroTimestamp;
        }
    }

    /// <summary>
    /// The sender's data as reassembly would take it: counts it against the depth, and on the
    /// packet that goes past it raises <see cref="StreamEvent.ReassemblyDepthReached"/> once per direction.
    /// </summary>
    private void HandleSegment(ref TcpStream stream, in TcpSegment p)
    {
        if (p.PayloadLength == 0 || p.IsRst || (stream.Flags & TcpStreamFlags.NoReassembly) != 0 || _depth == 0)
        {
            return;
        }

        // Offset of the segment's end from the stream's first byte (Suricata's seg_depth).
        uint end = p.Seq + p.PayloadLength - (stream.Isn + 1);
        if (SeqGt(stream.Isn + 1, p.Seq) && SeqLeq(p.Seq + p.PayloadLength, stream.Isn + 1))
        {
            return;
        }

        if (end > _depth)
        {
            stream.Flags |= TcpStreamFlags.DepthReached | TcpStreamFlags.NoReassembly;
            _counters.TcpStreamDepthReached++;
            SetEvent(StreamEvent.ReassemblyDepthReached);
        }
    }

    /// <summary>Raises <paramref name="streamEvent"/> and rejects the packet.</summary>
    private bool Reject(StreamEvent streamEvent)
    {
        SetEvent(streamEvent);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetEvent(StreamEvent streamEvent)
    {
        if (_eventCount < MaxEvents)
        {
            _events[_eventCount++] = streamEvent;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TcpStream Sender(ref TcpSession s, bool toServer) => ref toServer ? ref s.Client : ref s.Server;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TcpStream Receiver(ref TcpSession s, bool toServer) => ref toServer ? ref s.Server : ref s.Client;

    private static bool SeqLt(uint a, uint b) => (int)(a - b) < 0;

    private static bool SeqLeq(uint a, uint b) => (int)(a - b) <= 0;

    private static bool SeqGt(uint a, uint b) => (int)(a - b) > 0;

    private static bool SeqGeq(uint a, uint b) => (int)(a - b) >= 0;

    private static void UpdateLastAck(ref TcpStream stream, uint ack)
    {
        if (SeqGt(ack, stream.LastAck))
        {
            stream.LastAck = ack;
        }
    }

    private void UpdateNextSeq(ref TcpSession s, ref TcpStream stream, uint seq)
    {
        stream.NextSeq = seq;
        if ((s.Flags & TcpSessionFlags.Async) != 0 && SeqGt(stream.NextSeq, stream.LastAck))
        {
            // One-sided: nobody acknowledges, so the sender's own progress stands in for it.
            stream.LastAck = stream.NextSeq;
        }
    }

    private static void UpdateNextWin(ref TcpStream stream, uint window)
    {
        if (SeqGt(window, stream.NextWin))
        {
            stream.NextWin = window;
        }
    }

    private static void CloseWithReset(ref TcpSession s)
    {
        s.Flags |= TcpSessionFlags.ClosedByRst;
        s.SetState(TcpState.Closed);
    }
}
