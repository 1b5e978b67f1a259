using FlowEngine.Decode;

namespace FlowEngine.Stream;

/// <summary>
/// The checks the states share: RST, timestamp (PAWS) and ACK validation, and the packets Suricata
/// recognises before the state handler (keep-alives, window updates, zero window probes, outdated
/// ACKs, spurious retransmissions). With the default (BSD) operating-system policy.
/// </summary>
internal sealed partial class TcpStreamTracker
{
    /// <summary>
    /// Suricata's StreamTcpValidateRst: by the receiving host's policy, a RST is valid at exactly the
    /// next sequence number (BSD, Windows, ...), at or after it (HP-UX 11), or anywhere from the
    /// acknowledged edge to the end of the window (Linux, Solaris).
    /// </summary>
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

        ref TcpStream receiver = ref Receiver(s, toServer);
        if (p.IsAck && p.Ack != 0 && !AckValid(s, ref receiver, in p, toServer))
        {
            return Reject(StreamEvent.RstInvalidAck);
        }

        ref TcpStream sender = ref Sender(s, toServer);
        if ((s.Flags & TcpSessionFlags.Async) != 0)
        {
            return SeqGeq(p.Seq, sender.NextSeq);
        }

        return receiver.OsPolicy switch
        {
            OsPolicy.HpUx11 => SeqGeq(p.Seq, sender.NextSeq),
            OsPolicy.OldLinux or OsPolicy.Linux or OsPolicy.Solaris => SeqGeq(p.Seq + p.PayloadLength, sender.LastAck) && SeqLt(p.Seq, sender.NextSeq + sender.Window),
            _ => p.Seq == sender.NextSeq,
        };
    }

    /// <summary>
    /// Suricata's StreamTcpValidateTimestamp: the sender's TSval must not go back (RFC 7323's PAWS;
    /// Linux, or liberal timestamps, take one back), a TSval of 0 is refused where the receiving
    /// host refuses it, unless the stream was silent for 24 days and the packet is the next in
    /// sequence. Raises <see cref="StreamEvent.PacketInvalidTimestamp"/>.
    /// </summary>
    private bool TimestampValid(TcpSession s, in TcpSegment p, bool toServer) =>
        !p.HasTimestamp || Paws(s, in p, toServer, update: false) != PawsResult.Rejected;

    /// <summary>Suricata's StreamTcpHandleTimestamp: as <see cref="TimestampValid"/>, and a checked TSval of the next packet in sequence becomes the sender's last.</summary>
    private bool HandleTimestamp(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (!p.HasTimestamp)
        {
            if (Receiver(s, toServer).OsPolicy == OsPolicy.Solaris)
            {
                // Solaris stops using timestamps when a packet comes without one.
                s.Flags &= ~TcpSessionFlags.Timestamp;
            }

            return true;
        }

        return Paws(s, in p, toServer, update: true) != PawsResult.Rejected;
    }

    /// <summary>The timestamp check of both: with <paramref name="update"/> the sender's last timestamp moves on.</summary>
    private PawsResult Paws(TcpSession s, in TcpSegment p, bool toServer, bool update)
    {
        ref TcpStream sender = ref Sender(s, toServer);
        OsPolicy policy = Receiver(s, toServer).OsPolicy;
        uint lastTs = sender.LastTs;
        bool check = true;
        if ((sender.Flags & TcpStreamFlags.ZeroTimestamp) != 0)
        {
            // The handshake used 0 as the sender's timestamp.
            switch (policy)
            {
                case OsPolicy.Linux or OsPolicy.Windows2k3:
                    check = false;
                    if (update)
                    {
                        s.Flags &= ~TcpSessionFlags.Timestamp;
                    }

                    break;
                case OsPolicy.OldLinux or OsPolicy.Windows or OsPolicy.Vista:
                    if (update)
                    {
                        sender.Flags &= ~TcpStreamFlags.ZeroTimestamp;
                    }

                    if (sender.NextSeq == p.Seq)
                    {
                        lastTs = p.TsVal;
                        check = false;
                        if (update)
                        {
                            sender.LastTs = p.TsVal;
                        }
                    }

                    break;
            }
        }

        if (policy == OsPolicy.HpUx11 && sender.NextSeq != p.Seq)
        {
            // HP-UX 11 ignores the timestamps of out-of-order packets.
            check = false;
        }

        if (p.TsVal == 0 && policy is not (OsPolicy.OldLinux or OsPolicy.Windows or OsPolicy.Windows2k3 or OsPolicy.Vista or OsPolicy.Solaris))
        {
            SetEvent(StreamEvent.PacketInvalidTimestamp);
            return PawsResult.Rejected;
        }

        if (!check)
        {
            return PawsResult.Unchecked;
        }

        uint lastPacketTs = sender.LastPacketTs;
        if (lastPacketTs == 0 && (s.Flags & TcpSessionFlags.Midstream) != 0)
        {
            lastPacketTs = p.Seconds;
            if (update)
            {
                sender.LastPacketTs = p.Seconds;
            }
        }

        int result = (int)(p.TsVal - lastTs) + (policy == OsPolicy.Linux || _liberalTimestamps ? 1 : 0);
        bool stale = sender.LastTs != 0 && p.Seconds > lastPacketTs + Paws24Days;
        if (result >= 0 && !stale)
        {
            if (update)
            {
                if (sender.NextSeq == p.Seq)
                {
                    sender.LastTs = p.TsVal;
                }

                sender.LastPacketTs = p.Seconds;
            }

            return PawsResult.Valid;
        }

        // Too old a stream timestamp is no reason to refuse the next packet in sequence (RFC 1323).
        if (sender.NextSeq == p.Seq && p.Seconds > lastPacketTs + Paws24Days)
        {
            if (update)
            {
                sender.LastTs = p.TsVal;
                sender.LastPacketTs = p.Seconds;
            }

            return PawsResult.Valid;
        }

        SetEvent(StreamEvent.PacketInvalidTimestamp);
        return PawsResult.Rejected;
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
                return Reject(StreamEvent.PacketInvalidAck);
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

        return Reject(StreamEvent.PacketInvalidAck);
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
