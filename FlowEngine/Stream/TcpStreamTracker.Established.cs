namespace FlowEngine.Stream;

/// <summary>The established state: data and ACKs checked against the windows, a FIN starts the close.</summary>
internal sealed partial class TcpStreamTracker
{
    private bool Established(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsRst)
        {
            if (!RstValid(s, in p, toServer))
            {
                return false;
            }

            CloseWithReset(s);
            ref TcpStream sender = ref Sender(s, toServer);
            ref TcpStream receiver = ref Receiver(s, toServer);
            if (toServer)
            {
                s.Server.NextSeq = p.Ack;
                s.Client.NextSeq = p.Seq + p.PayloadLength;
            }
            else
            {
                s.Server.NextSeq = p.Seq + p.PayloadLength + 1;
                s.Client.NextSeq = p.Ack;
            }

            sender.Window = (uint)p.Window << sender.WindowScale;
            TakeRst(s, ref sender, ref receiver, in p, toServer);
            return true;
        }

        if (p.IsFin)
        {
            return ((s.Flags & TcpSessionFlags.Timestamp) == 0 || TimestampValid(s, in p, toServer)) && HandleFin(s, in p, toServer);
        }

        if (p.IsSynAck)
        {
            if (toServer)
            {
                return Reject(StreamEvent.EstablishedSynAckToServer);
            }

            if (p.Ack != s.Client.LastAck)
            {
                return Reject(StreamEvent.EstablishedSynAckResendWithDifferentAck);
            }

            if (p.Seq != s.Server.Isn)
            {
                return Reject(StreamEvent.EstablishedSynAckResendWithDiffSeq);
            }

            if ((s.Flags & TcpSessionFlags.HandshakeConfirmed) != 0)
            {
                return Reject(StreamEvent.EstablishedSynAckResend);
            }

            // Resent because the server missed the handshake's last ACK.
            return true;
        }

        if (p.IsSyn)
        {
            if (!toServer)
            {
                return Reject(StreamEvent.EstablishedSynToClient);
            }

            // Suricata compares the SYN's ACK field with the client's ISN here (sic).
            return Reject(p.Ack != s.Client.Isn ? StreamEvent.EstablishedSynResendDiffSeq : StreamEvent.EstablishedSynResend);
        }

        if (!p.IsAck)
        {
            return true;
        }

        if ((s.Flags & TcpSessionFlags.Timestamp) != 0 && !TimestampValid(s, in p, toServer))
        {
            return false;
        }

        if (!toServer)
        {
            s.Flags |= TcpSessionFlags.HandshakeConfirmed;
        }

        // Suricata goes on whatever the direction's handler decides: its events stand, the packet is not rejected.
        _ = EstablishedData(s, in p, toServer);
        return true;
    }

    /// <summary>Suricata's HandleEstablishedPacketToServer / ToClient: the ACK, the sequence number against last_ack, the window.</summary>
    private bool EstablishedData(TcpSession s, in TcpSegment p, bool toServer)
    {
        ref TcpStream sender = ref Sender(s, toServer);
        ref TcpStream receiver = ref Receiver(s, toServer);
        TcpSessionFlags otherProbe = toServer ? TcpSessionFlags.ZeroWindowProbeToClient : TcpSessionFlags.ZeroWindowProbeToServer;
        if (p.IsAck)
        {
            if ((s.Flags & otherProbe) != 0 && p.Ack == receiver.NextSeq + 1)
            {
                SetEvent(StreamEvent.EstablishedAckZeroWindowProbeData);
            }
            else if (!AckValid(s, ref receiver, in p, toServer))
            {
                return Reject(StreamEvent.EstablishedInvalidAck);
            }
        }

        if (!toServer && (s.Flags & TcpSessionFlags.Midstream) != 0 && (s.Flags & TcpSessionFlags.MidstreamEstablished) != 0)
        {
            // Picked up on the client's ACK: the server's first packet tells its window.
            s.Server.Window = (uint)p.Window << s.Server.WindowScale;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            s.Flags &= ~TcpSessionFlags.MidstreamEstablished;
        }

        uint end = p.Seq + p.PayloadLength;
        if (p.PayloadLength <= 1 && p.Seq == sender.NextSeq - 1)
        {
            // A keep-alive.
        }
        else if (!SeqGeq(end, sender.LastAck))
        {
            if ((s.Flags & TcpSessionFlags.Async) != 0)
            {
                // One-sided: nobody else moves last_ack.
                if (toServer)
                {
                    UpdateLastAck(ref sender, p.Seq);
                }
                else
                {
                    sender.LastAck = p.Seq;
                }
            }
            else if (toServer && _async && (s.Flags & TcpSessionFlags.Midstream) != 0
                && (sender.NextSeq == p.Seq || sender.LastAck == sender.Isn + 1))
            {
                // The SYN and SYN/ACK were missed and the other side is silent: one-sided from here.
                UpdateLastAck(ref sender, p.Seq);
                s.Flags |= TcpSessionFlags.Async;
            }
            else if (SeqGt(sender.LastAck, sender.NextSeq) && SeqGt(end, sender.NextSeq))
            {
                // Data acknowledged before it was seen (lost packets): take what goes past next_seq.
            }
            else
            {
                return Reject(StreamEvent.EstablishedPacketBeforeLastAck);
            }
        }

        bool zeroWindowProbe = false;
        if (p.PayloadLength == 1 && p.Seq == sender.NextSeq && sender.Window == 0)
        {
            zeroWindowProbe = true;
            s.Flags |= toServer ? TcpSessionFlags.ZeroWindowProbeToServer : TcpSessionFlags.ZeroWindowProbeToClient;
            HandleSegment(ref sender, in p);
        }
        else if (SeqGeq(end, sender.NextSeq))
        {
            UpdateNextSeq(s, ref sender, end);
        }

        if (zeroWindowProbe)
        {
            return true;
        }

        if (SeqLeq(end, sender.NextWin) || (s.Flags & (TcpSessionFlags.Midstream | TcpSessionFlags.Async)) != 0)
        {
            receiver.Window = (uint)p.Window << receiver.WindowScale;
            if (p.IsAck)
            {
                UpdateLastAck(ref receiver, p.Ack);
                if ((s.Flags & TcpSessionFlags.Async) == 0 && SeqGt(receiver.LastAck, receiver.NextSeq))
                {
                    _counters.TcpAckUnseenData++;
                }
            }

            if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
            {
                _ = HandleTimestamp(s, in p, toServer);
            }

            UpdateNextWin(ref receiver, receiver.LastAck + receiver.Window);
            HandleSegment(ref sender, in p);
            return true;
        }

        return Reject(StreamEvent.EstablishedPacketOutOfWindow);
    }

    /// <summary>A FIN in SYN_RECV or ESTABLISHED: the client's moves the session to CLOSE_WAIT, the server's to FIN_WAIT1 (Suricata's naming).</summary>
    private bool HandleFin(TcpSession s, in TcpSegment p, bool toServer)
    {
        ref TcpStream sender = ref Sender(s, toServer);
        ref TcpStream receiver = ref Receiver(s, toServer);
        if (!AckValid(s, ref receiver, in p, toServer))
        {
            return Reject(StreamEvent.FinInvalidAck);
        }

        uint end = p.Seq + p.PayloadLength;
        if (!(SeqGeq(p.Seq, sender.LastAck) && SeqLeq(end, sender.NextWin)))
        {
            return Reject(StreamEvent.FinOutOfWindow);
        }

        if (toServer)
        {
            if (p.IsSyn)
            {
                return Reject(StreamEvent.FinSyn);
            }

            s.SetState(TcpState.CloseWait);
            sender.NextSeq = end;
        }
        else
        {
            s.SetState(TcpState.FinWait1);
            sender.NextSeq = end + 1;
        }

        receiver.Window = (uint)p.Window << receiver.WindowScale;
        if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
        {
            _ = HandleTimestamp(s, in p, toServer);
        }

        if (SeqLt(receiver.NextSeq, p.Ack))
        {
            // The receiver's data was acknowledged before it was seen.
            receiver.NextSeq = p.Ack;
        }

        if (p.IsAck)
        {
            UpdateLastAck(ref receiver, p.Ack);
        }

        HandleSegment(ref sender, in p);
        return true;
    }
}
