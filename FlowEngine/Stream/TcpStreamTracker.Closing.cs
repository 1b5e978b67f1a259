namespace FlowEngine.Stream;

/// <summary>
/// The close: Suricata's FIN_WAIT1, FIN_WAIT2, CLOSING, CLOSE_WAIT, LAST_ACK, TIME_WAIT and CLOSED
/// states. Each checks a FIN or ACK the way its Suricata handler does (retransmission, sequence
/// number, ACK) and moves on as it does; the per-state details Suricata has beyond those (SACK) are left out.
/// </summary>
internal sealed partial class TcpStreamTracker
{
    private bool Closing(TcpSession s, in TcpSegment p, bool toServer, TcpState state)
    {
        ref TcpStream sender = ref Sender(s, toServer);
        ref TcpStream receiver = ref Receiver(s, toServer);
        if (p.IsRst)
        {
            if (!RstValid(s, in p, toServer))
            {
                return false;
            }

            CloseWithReset(s);
            TakeRst(s, ref sender, ref receiver, in p, toServer);
            return true;
        }

        if (p.IsSyn)
        {
            return Reject(StreamEvent.ShutdownSynResend);
        }

        if (!p.IsFin && !p.IsAck)
        {
            return true;
        }

        if (p.IsFin && state is TcpState.Closing or TcpState.LastAck or TcpState.TimeWait)
        {
            // Suricata does nothing with a FIN here.
            return true;
        }

        if ((s.Flags & TcpSessionFlags.Timestamp) != 0 && !TimestampValid(s, in p, toServer))
        {
            return false;
        }

        bool retransmission = IsRetransmission(ref sender, in p);
        if (!retransmission && !toServer && p.IsFin && state is TcpState.FinWait1 or TcpState.FinWait2
            && p.Seq == sender.NextSeq - 1 && p.Ack == receiver.LastAck)
        {
            retransmission = true;
        }

        if (!retransmission && !SequenceFits(s, ref sender, in p, toServer, state, out StreamEvent wrongSeq, out bool ignore))
        {
            if (ignore)
            {
                return true;
            }

            return Reject(wrongSeq);
        }

        if (!AckValid(s, ref receiver, in p, toServer))
        {
            return Reject(InvalidAckEvent(state));
        }

        if (!retransmission && !Advance(s, ref sender, ref receiver, in p, state))
        {
            return false;
        }

        if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
        {
            _ = HandleTimestamp(s, in p, toServer);
        }

        if (SeqLt(receiver.NextSeq - 1, p.Ack))
        {
            // The receiver's data was acknowledged before it was seen.
            receiver.NextSeq = p.Ack;
        }

        if (p.IsFin ? SeqGeq(p.Seq, sender.NextSeq - 1) && SeqLeq(p.Seq, sender.NextSeq) : p.Seq == sender.NextSeq)
        {
            UpdateNextSeq(s, ref sender, p.Seq + p.PayloadLength);
        }

        if (p.IsAck)
        {
            UpdateLastAck(ref receiver, p.Ack);
            UpdateNextWin(ref receiver, receiver.LastAck + receiver.Window);
        }

        HandleSegment(ref sender, in p);
        return true;
    }

    /// <summary>A valid RST closing the session: its ACK and sequence number move last_ack both ways, its timestamp counts.</summary>
    private void TakeRst(TcpSession s, ref TcpStream sender, ref TcpStream receiver, in TcpSegment p, bool toServer)
    {
        if (p.IsAck && AckValid(s, ref receiver, in p, toServer))
        {
            UpdateLastAck(ref receiver, p.Ack);
        }

        UpdateLastAck(ref sender, p.Seq);
        if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
        {
            _ = HandleTimestamp(s, in p, toServer);
        }

        HandleSegment(ref sender, in p);
    }

    /// <summary>The state's sequence check of a FIN or ACK that is not a retransmission; <paramref name="ignore"/> for a packet Suricata lets pass unhandled.</summary>
    private static bool SequenceFits(TcpSession s, ref TcpStream sender, in TcpSegment p, bool toServer, TcpState state, out StreamEvent wrongSeq, out bool ignore)
    {
        ignore = false;
        wrongSeq = StreamEvent.None;
        uint end = p.Seq + p.PayloadLength;
        bool outside = SeqLt(p.Seq, sender.NextSeq - 1) || SeqGt(p.Seq, sender.LastAck + sender.Window);
        switch (state)
        {
            case TcpState.FinWait1 when p.IsFin:
                wrongSeq = StreamEvent.Fin1FinWrongSeq;
                return !outside;
            case TcpState.FinWait2 when p.IsFin:
                wrongSeq = StreamEvent.Fin2FinWrongSeq;
                return !outside;
            case TcpState.CloseWait when p.IsFin:
                wrongSeq = StreamEvent.CloseWaitFinOutOfWindow;
                return !outside;
            case TcpState.FinWait1 or TcpState.FinWait2:
                wrongSeq = state == TcpState.FinWait1 ? StreamEvent.Fin1AckWrongSeq : StreamEvent.Fin2AckWrongSeq;
                return SeqLeq(end, sender.NextWin) || (s.Flags & (TcpSessionFlags.Midstream | TcpSessionFlags.Async)) != 0;
            case TcpState.Closing:
                wrongSeq = StreamEvent.ClosingAckWrongSeq;
                return !toServer || p.Seq == sender.NextSeq;
            case TcpState.CloseWait:
                if (SeqLt(end, sender.LastAck))
                {
                    wrongSeq = StreamEvent.CloseWaitPacketBeforeLastAck;
                    return false;
                }

                wrongSeq = StreamEvent.CloseWaitAckOutOfWindow;
                return SeqLeq(p.Seq, sender.LastAck + sender.Window);
            case TcpState.LastAck:
                wrongSeq = StreamEvent.LastAckAckWrongSeq;
                return SeqLt(p.Seq, sender.NextSeq) || p.Seq == sender.NextSeq || p.Seq == sender.NextSeq + 1;
            case TcpState.TimeWait:
                wrongSeq = StreamEvent.TimeWaitAckWrongSeq;
                if (toServer)
                {
                    return p.Seq == sender.NextSeq || p.Seq == sender.NextSeq + 1;
                }

                if (p.Seq == sender.NextSeq - 1 || p.Seq == sender.NextSeq)
                {
                    return true;
                }

                // Data at last_ack: a retransmission Suricata lets through untouched.
                ignore = p.PayloadLength > 0 && p.Seq == sender.LastAck;
                return false;
            default:
                return true;
        }
    }

    private static StreamEvent InvalidAckEvent(TcpState state) => state switch
    {
        TcpState.FinWait1 => StreamEvent.Fin1InvalidAck,
        TcpState.FinWait2 => StreamEvent.Fin2InvalidAck,
        TcpState.Closing => StreamEvent.ClosingInvalidAck,
        TcpState.CloseWait => StreamEvent.CloseWaitInvalidAck,
        TcpState.LastAck => StreamEvent.LastAckInvalidAck,
        _ => StreamEvent.TimeWaitInvalidAck,
    };

    /// <summary>The state change of an accepted FIN or ACK, and the receiver's window; false for an ACK Suricata rejects in FIN_WAIT1.</summary>
    private static bool Advance(TcpSession s, ref TcpStream sender, ref TcpStream receiver, in TcpSegment p, TcpState state)
    {
        switch (state)
        {
            case TcpState.FinWait1 when p.IsFin:
                s.SetState(p.IsAck ? TcpState.TimeWait : TcpState.Closing);
                break;
            case TcpState.FinWait1:
                if (SeqLt(p.Ack, receiver.NextSeq))
                {
                    // ACKs an older segment.
                    return true;
                }

                if (p.Ack != receiver.NextSeq)
                {
                    return true;
                }

                if (p.Seq == sender.NextSeq)
                {
                    s.SetState(TcpState.FinWait2);
                }

                break;
            case TcpState.FinWait2 when p.IsFin:
            case TcpState.Closing:
                s.SetState(TcpState.TimeWait);
                break;
            case TcpState.CloseWait when p.IsFin:
                s.SetState(TcpState.LastAck);
                break;
            case TcpState.LastAck when SeqLt(p.Seq, sender.NextSeq):
                // Before next_seq: not the final ACK.
                return true;
            case TcpState.LastAck or TcpState.TimeWait:
                s.SetState(TcpState.Closed);
                break;
        }

        receiver.Window = (uint)p.Window << receiver.WindowScale;
        return true;
    }

    /// <summary>Closed: a packet after a RST one side sent is handled in the state before it, if the RST's receiver keeps talking.</summary>
    private bool Closed(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsRst)
        {
            return true;
        }

        if ((Sender(s, toServer).Flags & TcpStreamFlags.RstReceived) == 0 && (Receiver(s, toServer).Flags & TcpStreamFlags.RstReceived) != 0)
        {
            if (!Dispatch(s, in p, toServer, s.PreviousState))
            {
                return false;
            }

            if (s.State == TcpState.Closed)
            {
                s.State = s.PreviousState;
            }
        }

        return true;
    }

    /// <summary>Suricata's StreamTcpPacketIsRetransmission (raises <see cref="StreamEvent.PacketRetransmission"/>).</summary>
    private bool IsRetransmission(ref TcpStream sender, in TcpSegment p)
    {
        if (p.PayloadLength == 0)
        {
            return false;
        }

        uint end = p.Seq + p.PayloadLength;
        if ((SeqLt(p.Seq, sender.LastAck) && SeqGt(end, sender.LastAck)) || SeqLeq(end, sender.LastAck) || SeqLeq(end, sender.NextSeq))
        {
            SetEvent(StreamEvent.PacketRetransmission);
            return true;
        }

        return false;
    }
}
