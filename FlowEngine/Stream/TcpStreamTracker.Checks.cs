using FlowEngine.Decode;

namespace FlowEngine.Stream;

/// <summary>
/// The checks the states share: RST, timestamp (PAWS) and ACK validation, and the packets Suricata
/// recognises before the state handler (keep-alives, window updates, zero window probes, outdated
/// ACKs, spurious retransmissions). With the default (BSD) operating-system policy.
/// </summary>
internal sealed partial class TcpStreamTracker
{
    /// <summary>Suricata's StreamTcpValidateRst with the BSD policy: the RST's sequence number must be the next expected.</summary>
    private bool RstValid(TcpSession s, in TcpSegment p, bool toServer)
    {
        if ((s.Flags & TcpSessionFlags.Timestamp) != 0 && !TimestampValid(s, in p, toServer))
        {
            return false;
        }

        if (p.PayloadLength > 0)
        {
            SetEvent(StreamEvent.RstWithData);
        }

        if (p.IsAck && p.Ack != 0 && !AckValid(s, ref Receiver(s, toServer), in p, toServer))
        {
            SetEvent(StreamEvent.RstInvalidAck);
            return false;
        }

        uint expected = Sender(s, toServer).NextSeq;
        return (s.Flags & TcpSessionFlags.Async) != 0 ? SeqGeq(p.Seq, expected) : p.Seq == expected;
    }

    /// <summary>
    /// Suricata's StreamTcpValidateTimestamp with the BSD policy: the sender's TSval must not go back
    /// (RFC 7323's PAWS), and 0 is refused once the handshake had timestamps, unless the stream was
    /// silent for 24 days and the packet is the next in sequence. Raises <see cref="StreamEvent.PacketInvalidTimestamp"/>.
    /// </summary>
    private bool TimestampValid(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (!p.HasTimestamp)
        {
            return true;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        if (PawsRejects(s, ref sender, in p))
        {
            SetEvent(StreamEvent.PacketInvalidTimestamp);
            return false;
        }

        return true;
    }

    /// <summary>Suricata's StreamTcpHandleTimestamp: <see cref="TimestampValid"/>, and a valid TSval of the next packet in sequence becomes the sender's last.</summary>
    private bool HandleTimestamp(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (!p.HasTimestamp)
        {
            return true;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        if (PawsRejects(s, ref sender, in p))
        {
            SetEvent(StreamEvent.PacketInvalidTimestamp);
            return false;
        }

        if (sender.NextSeq == p.Seq)
        {
            sender.LastTs = p.TsVal;
        }

        sender.LastPacketTs = p.Seconds;
        return true;
    }

    /// <summary>Whether PAWS rejects the packet's timestamp (BSD policy: 0 is invalid; liberal timestamps allow one back).</summary>
    private bool PawsRejects(TcpSession s, ref TcpStream sender, in TcpSegment p)
    {
        if (p.TsVal == 0)
        {
            return true;
        }

        uint lastPacketTs = sender.LastPacketTs;
        if (lastPacketTs == 0 && (s.Flags & TcpSessionFlags.Midstream) != 0)
        {
            lastPacketTs = p.Seconds;
            sender.LastPacketTs = p.Seconds;
        }

        int result = (int)(p.TsVal - sender.LastTs) + (_liberalTimestamps ? 1 : 0);
        bool stale = sender.LastTs != 0 && p.Seconds > lastPacketTs + Paws24Days;
        if (result >= 0 && !stale)
        {
            return false;
        }

        // Too old a stream timestamp is no reason to refuse the next packet in sequence (RFC 1323).
        if (sender.NextSeq == p.Seq && p.Seconds > lastPacketTs + Paws24Days)
        {
            sender.LastTs = p.TsVal;
            sender.LastPacketTs = p.Seconds;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Suricata's StreamTcpValidateAck: an ACK must not go past what the receiver may have sent
    /// (next_win) nor far back (a window before last_ack). Raises <see cref="StreamEvent.PacketInvalidAck"/>.
    /// </summary>
    private bool AckValid(TcpSession s, ref TcpStream stream, in TcpSegment p, bool toServer)
    {
        if (!p.IsAck)
        {
            return true;
        }

        uint ack = p.Ack;
        if ((SeqGt(ack, stream.LastAck) && SeqLeq(ack, stream.NextWin)) || ack == stream.LastAck)
        {
            return true;
        }

        if (SeqLt(ack, stream.LastAck))
        {
            if (stream.Window != 0 && SeqLt(ack, stream.LastAck - stream.Window))
            {
                SetEvent(StreamEvent.PacketInvalidAck);
                return false;
            }

            return true;
        }

        if ((s.Flags & TcpSessionFlags.Async) != 0)
        {
            return true;
        }

        if (s.State == TcpState.SynSent && !toServer && p.IsRst && ack == stream.Isn + 1)
        {
            // The RST answering a SYN acknowledges it like a SYN/ACK would.
            return true;
        }

        SetEvent(StreamEvent.PacketInvalidAck);
        return false;
    }

    /// <summary>A packet from the side a RST was sent to, after it: the RST was ignored, so it looks injected.</summary>
    private void CheckPostRst(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsRst)
        {
            return;
        }

        ref TcpStream receiver = ref Receiver(s, toServer);
        if ((receiver.Flags & TcpStreamFlags.RstReceived) != 0)
        {
            receiver.Flags &= ~TcpStreamFlags.RstReceived;
            s.Flags &= ~TcpSessionFlags.ClosedByRst;
            SetEvent(StreamEvent.SuspectedRstInject);
        }
    }

    private static bool IsKeepAlive(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.PayloadLength > 1 || (p.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            return false;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        if (p.Ack == Receiver(s, toServer).LastAck && p.Seq == sender.NextSeq - 1)
        {
            sender.Flags |= TcpStreamFlags.KeepAlive;
            return true;
        }

        return false;
    }

    private static bool IsKeepAliveAck(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.PayloadLength > 0 || (p.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0 || p.Window == 0)
        {
            return false;
        }

        ref TcpStream receiver = ref Receiver(s, toServer);
        if (((uint)p.Window << receiver.WindowScale) != receiver.Window)
        {
            return false;
        }

        if ((receiver.Flags & TcpStreamFlags.KeepAlive) != 0 && p.Ack == receiver.LastAck && p.Seq == Sender(s, toServer).NextSeq)
        {
            receiver.Flags &= ~TcpStreamFlags.KeepAlive;
            return true;
        }

        return false;
    }

    /// <summary>The ACK of a zero window probe: answers the probe with the window still shut.</summary>
    private static bool IsZeroWindowProbeAck(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (s.State < TcpState.Established || p.PayloadLength != 0
            || (p.Flags & (TcpFlags.Ack | TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != TcpFlags.Ack
            || (s.Flags & (toServer ? TcpSessionFlags.ZeroWindowProbeToClient : TcpSessionFlags.ZeroWindowProbeToServer)) == 0)
        {
            return false;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        ref TcpStream receiver = ref Receiver(s, toServer);
        uint window = (uint)p.Window << sender.WindowScale;
        return window == 0 && window == receiver.Window && p.Seq == sender.NextSeq && p.Ack == receiver.LastAck;
    }

    /// <summary>The last ACK of a close: one past the FINs both ways.</summary>
    private static bool IsFinShutdownAck(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (s.State is not (TcpState.TimeWait or TcpState.CloseWait or TcpState.LastAck) || p.Flags != TcpFlags.Ack || p.PayloadLength != 0)
        {
            return false;
        }

        return Sender(s, toServer).NextSeq + 1 == p.Seq && p.Ack == Receiver(s, toServer).NextSeq + 1;
    }

    private static bool IsWindowUpdate(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (s.State < TcpState.Established || p.PayloadLength > 0 || (p.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0 || p.Window == 0)
        {
            return false;
        }

        ref TcpStream receiver = ref Receiver(s, toServer);
        if (((uint)p.Window << receiver.WindowScale) == receiver.Window)
        {
            return false;
        }

        return p.Ack == receiver.LastAck && p.Seq == Sender(s, toServer).NextSeq;
    }

    /// <summary>Suricata's bug 1238 check: a packet past next_seq acking unseen data that shrinks the window beyond what it acknowledges.</summary>
    private bool IsBadWindowUpdate(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (s.State < TcpState.Established || s.State == TcpState.Closed || (p.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            return false;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        ref TcpStream receiver = ref Receiver(s, toServer);
        uint window = (uint)p.Window << receiver.WindowScale;
        if (window >= receiver.Window)
        {
            return false;
        }

        uint shrink = receiver.Window - window;
        if (shrink > p.PayloadLength && SeqGt(p.Ack, receiver.NextSeq) && SeqGt(p.Seq, sender.NextSeq))
        {
            uint acked = p.Ack - receiver.LastAck;
            if ((window > 1024 && shrink > acked + 32) || (window <= 1024 && shrink > acked))
            {
                SetEvent(StreamEvent.PacketBadWindowUpdate);
                return true;
            }
        }

        return false;
    }

    /// <summary>An ACK-only packet acknowledging less than an earlier one (without SACK blocks, which this tracker does not follow).</summary>
    private static bool IsOutdatedAck(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (s.State < TcpState.Established || p.PayloadLength != 0
            || (p.Flags & (TcpFlags.Ack | TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != TcpFlags.Ack || p.HasSack)
        {
            return false;
        }

        return p.Seq == Sender(s, toServer).NextSeq && SeqLt(p.Ack, Receiver(s, toServer).LastAck);
    }

    /// <summary>
    /// Suricata's StreamTcpPacketIsSpuriousRetransmission: data wholly before what the receiver
    /// acknowledged. 2 when it is also before the reassembly base (taken as the acknowledged edge,
    /// up to next_seq: an IDS reassembles acknowledged data), and the packet is skipped; 1 otherwise.
    /// </summary>
    private static int SpuriousRetransmission(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.PayloadLength == 0)
        {
            return 0;
        }

        ref TcpStream sender = ref Sender(s, toServer);
        uint end = p.Seq + p.PayloadLength;
        if ((sender.Flags & TcpStreamFlags.NoReassembly) == 0)
        {
            uint baseSeq = SeqLt(sender.LastAck, sender.NextSeq) ? sender.LastAck : sender.NextSeq;
            if (SeqLeq(end, baseSeq))
            {
                return 2;
            }
        }

        return SeqLeq(end, sender.LastAck) ? 1 : 0;
    }
}
