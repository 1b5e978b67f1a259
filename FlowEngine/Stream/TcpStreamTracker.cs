using Capture.Abstractions;
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
/// RSTs. Runs on the shard's worker thread, per TCP packet; takes a session an ended flow left, or
/// allocates one, per TCP session, nothing per packet.
/// </summary>
internal sealed partial class TcpStreamTracker
{
    private const int MaxEvents = 8;

    /// <summary>RFC 7323's limit on a timestamp's age: a stream silent longer than 24 days resets PAWS.</summary>
    private const uint Paws24Days = 24 * 24 * 60 * 60;

    /// <summary>Window scaling assumed for sessions picked up midstream (the largest allowed).</summary>
    private const byte MaxWindowScale = 14;

    private readonly FlowTable _table;
    private readonly FlowCounters _counters;
    private readonly int _column;
    private readonly bool _midstream;
    private readonly bool _async;
    private readonly bool _inline;
    private readonly bool _dropInvalid;
    private readonly bool _liberalTimestamps;
    private readonly uint _depth;
    private readonly OsPolicyTable _policies;
    private readonly StreamEvent[] _events = new StreamEvent[MaxEvents];
    private int _eventCount;
    private bool _dropped;
    private FlowAddress _source;
    private FlowAddress _destination;
    private bool _isIPv6;

    /// <summary>A tracker keeping sessions in storage column <paramref name="column"/> of <paramref name="table"/>; none (-1) turns it off.</summary>
    public TcpStreamTracker(TcpStreamOptions options, FlowTable table, FlowCounters counters, int column)
    {
        ArgumentNullException.ThrowIfNull(options);
        _table = table;
        _counters = counters;
        _column = column;
        _midstream = options.Midstream;
        _async = options.AsyncOneside;
        _inline = options.Inline;
        _dropInvalid = options.DropInvalid;
        _liberalTimestamps = options.LiberalTimestamps;
        _depth = (uint)Math.Clamp(options.ReassemblyDepth, 0, uint.MaxValue);
        _policies = new OsPolicyTable(options.HostOsPolicies);
    }

    /// <summary>Whether sessions are tracked (the engine gave the tracker a storage column).</summary>
    public bool Enabled => _column >= 0;

    /// <summary>The events the last tracked packet raised (valid until the next packet).</summary>
    public ReadOnlySpan<StreamEvent> PacketEvents => new(_events, 0, _eventCount);

    /// <summary>Whether the last tracked packet was rejected and, inline with drop-invalid, is to be dropped ("stream error").</summary>
    public bool PacketDropped => _dropped;

    /// <summary>The session of a flow, or null when it has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TcpSession? SessionAt(int slot) => _column < 0 ? null : Unsafe.As<TcpSession?>(_table.Storage[_column][slot]);

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
        if (_column < 0 || !TcpSegment.TryRead(bytes, in layer, timestampNanoseconds, out TcpSegment segment))
        {
            return;
        }

        object?[] sessions = _table.Storage[_column];
        TcpSession? session = Unsafe.As<TcpSession?>(sessions[slot]);
        if (session is null || session.State == TcpState.None)
        {
            // Kept for a new session's host policies.
            _source = layer.Source;
            _destination = layer.Destination;
            _isIPv6 = layer.IsIPv6;
        }

        TcpSession? before = session;
        bool accepted = Packet(ref session, in segment, toServer);
        if (!ReferenceEquals(before, session))
        {
            // A new session: the only store of a reference here (each one costs a write barrier).
            sessions[slot] = session;
        }

        if (!accepted && _inline && _dropInvalid)
        {
            _dropped = true;
        }
    }

    /// <summary>Suricata's StreamTcpPacket: the checks before the state, then the state's handler. False when the packet is rejected.</summary>
    private bool Packet(ref TcpSession? session, in TcpSegment p, bool toServer)
    {
        if (!p.IsAck && p.Ack != 0)
        {
            // Broken TCP: an acknowledgement number without the ACK flag.
            SetEvent(StreamEvent.PacketBrokenAck);
        }

        if (session is null || session.State == TcpState.None)
        {
            return StateNone(ref session, in p, toServer);
        }

        TcpSession s = session;
        s.TrackFlags(p.Flags, toServer);
        if (IsKeepAlive(s, in p, toServer))
        {
            CheckPostRst(s, in p, toServer);
            return true;
        }

        if (IsKeepAliveAck(s, in p, toServer))
        {
            Sender(s, toServer).Flags &= ~TcpStreamFlags.KeepAlive;
            CheckPostRst(s, in p, toServer);
            return true;
        }

        Sender(s, toServer).Flags &= ~TcpStreamFlags.KeepAlive;
        bool zeroWindowProbeAck = IsZeroWindowProbeAck(s, in p, toServer);
        s.Flags &= toServer ? ~TcpSessionFlags.ZeroWindowProbeToClient : ~TcpSessionFlags.ZeroWindowProbeToServer;
        if (zeroWindowProbeAck)
        {
            CheckPostRst(s, in p, toServer);
            return true;
        }

        if (!IsFinShutdownAck(s, in p, toServer) && !IsWindowUpdate(s, in p, toServer)
            && (IsBadWindowUpdate(s, in p, toServer) || IsOutdatedAck(s, in p, toServer)))
        {
            CheckPostRst(s, in p, toServer);
            return true;
        }

        int spurious = SpuriousRetransmission(s, in p, toServer);
        if (spurious > 0)
        {
            SetEvent(StreamEvent.PacketSpuriousRetransmission);
            if (spurious == 2)
            {
                CheckPostRst(s, in p, toServer);
                return true;
            }
        }

        if (!Dispatch(s, in p, toServer, s.State))
        {
            return false;
        }

        CheckPostRst(s, in p, toServer);
        return true;
    }

    private bool Dispatch(TcpSession s, in TcpSegment p, bool toServer, TcpState state) => state switch
    {
        TcpState.SynSent => SynSent(s, in p, toServer),
        TcpState.SynRecv => SynRecv(s, in p, toServer),
        TcpState.Established => Established(s, in p, toServer),
        TcpState.FinWait1 or TcpState.FinWait2 or TcpState.Closing or TcpState.CloseWait or TcpState.LastAck or TcpState.TimeWait => Closing(s, in p, toServer, state),
        TcpState.Closed => Closed(s, in p, toServer),
        _ => true,
    };

    /// <summary>No session yet: a SYN starts one; with midstream pick-up an ACK, FIN with data or SYN/ACK does too.</summary>
    private bool StateNone(ref TcpSession? session, in TcpSegment p, bool toServer)
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

            TcpSession s = NewSession(ref session, midstream: true, toServer);
            s.SetState(TcpState.FinWait1);
            PickUpMidstream(s, in p);
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
            TcpSession s = NewSession(ref session, midstream: true, toServer);
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
                TakeTimestamps(s, ref s.Server, ref s.Client, in p);
            }

            if (p.SackPermitted)
            {
                s.Flags |= TcpSessionFlags.SackOk;
            }

            return true;
        }

        if (p.IsSyn)
        {
            TcpSession s = NewSession(ref session, midstream: false, toServer);
            s.SetState(TcpState.SynSent);
            if (_async)
            {
                s.Flags |= TcpSessionFlags.Async;
            }

            s.Client.Isn = p.Seq;
            s.Client.NextSeq = p.Seq + 1;
            ApplySyn(s, in p);
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

            TcpSession s = NewSession(ref session, midstream: true, toServer);
            s.SetState(TcpState.Established);
            PickUpMidstream(s, in p);
            HandleSegment(ref s.Client, in p);
            return true;
        }

        return true;
    }

    private TcpSession NewSession(ref TcpSession? session, bool midstream, bool toServer)
    {
        // A session an ended flow left (reset as it is taken), else a new one.
        TcpSession s = session ??= Unsafe.As<TcpSession?>(_table.TakeReusable(_column)) ?? new TcpSession();
        s.Reset();
        s.Client.OsPolicy = _policies.Of(toServer ? _source : _destination, _isIPv6);
        s.Server.OsPolicy = _policies.Of(toServer ? _destination : _source, _isIPv6);
        _counters.TcpSessions++;
        if (midstream)
        {
            _counters.TcpMidstreamPickups++;
        }

        return s;
    }

    /// <summary>The SYN's settings of the client (timestamp, window, scale, SACK), from a first SYN or a retransmitted one.</summary>
    private static void ApplySyn(TcpSession s, in TcpSegment p)
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
    private void PickUpMidstream(TcpSession s, in TcpSegment p)
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
            TakeTimestamps(s, ref s.Client, ref s.Server, in p);
        }
    }

    /// <summary>A session picked up midstream takes both sides' timestamps from the sender's packet (its TSval and the echoed TSecr).</summary>
    private static void TakeTimestamps(TcpSession s, ref TcpStream sender, ref TcpStream other, in TcpSegment p)
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
    private static ref TcpStream Sender(TcpSession s, bool toServer) => ref toServer ? ref s.Client : ref s.Server;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref TcpStream Receiver(TcpSession s, bool toServer) => ref toServer ? ref s.Server : ref s.Client;

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

    private void UpdateNextSeq(TcpSession s, ref TcpStream stream, uint seq)
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

    private static void CloseWithReset(TcpSession s)
    {
        s.Flags |= TcpSessionFlags.ClosedByRst;
        s.SetState(TcpState.Closed);
    }
}
