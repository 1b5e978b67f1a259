namespace FlowEngine.Stream;

/// <summary>The three-way (and four-way) handshake: Suricata's SYN_SENT and SYN_RECV states.</summary>
internal sealed partial class TcpStreamTracker
{
    /// <summary>After the client's SYN: the server's SYN/ACK moves to SYN_RECV; a RST closes; a SYN again is a resend (or, from the server, a four-way handshake).</summary>
    private bool SynSent(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsSynAck && !toServer)
        {
            bool timestampMismatch = !(_liberalTimestamps || SynSentTimestampValid(s, in p, toServer));
            if (!(p.HasFastOpen || (s.Flags & TcpSessionFlags.FastOpen) != 0))
            {
                bool ackMatches = p.Ack == s.Client.Isn + 1;
                if (!ackMatches || timestampMismatch)
                {
                    return Reject(!ackMatches ? StreamEvent.ThreeWhsSynAckWithWrongAck : StreamEvent.PacketInvalidTimestamp);
                }
            }
            else if (!SynAckFastOpen(s, in p, timestampMismatch))
            {
                return false;
            }

            SynAckUpdate(s, in p);
            return true;
        }

        if (p.IsSynAck)
        {
            return FourWayHandshakeSynAck(s, in p);
        }

        if (!SynSentTimestampValid(s, in p, toServer))
        {
            return Reject(StreamEvent.PacketInvalidTimestamp);
        }

        if (p.IsRst)
        {
            if (!RstValid(s, in p, toServer))
            {
                return false;
            }

            if (toServer)
            {
                if (p.Seq == s.Client.Isn && p.Window == 0 && p.Ack == s.Client.Isn + 1)
                {
                    s.Server.Flags |= TcpStreamFlags.RstReceived;
                    CloseWithReset(s);
                }
            }
            else
            {
                s.Client.Flags |= TcpStreamFlags.RstReceived;
                CloseWithReset(s);
            }
        }
        else if (p.IsFin)
        {
            // Suricata has nothing to do here either.
        }
        else if (p.IsSyn)
        {
            if (!toServer)
            {
                // The server's own SYN: a four-way handshake (the SYN/ACK then comes from the client).
                s.Flags |= TcpSessionFlags.FourWayHandshake;
                s.Server.Isn = p.Seq;
                s.Server.NextSeq = p.Seq + 1;
                if (p.HasTimestamp)
                {
                    s.Server.LastTs = p.TsVal;
                    s.Server.Flags |= TcpStreamFlags.Timestamp | (p.TsVal == 0 ? TcpStreamFlags.ZeroTimestamp : 0);
                    s.Server.LastPacketTs = p.Seconds;
                }

                s.Server.Window = p.Window;
                s.Server.WindowScale = p.HasWindowScale ? p.WindowScale : (byte)0;
                s.Flags = p.HasWindowScale ? s.Flags | TcpSessionFlags.ServerWindowScale : s.Flags & ~TcpSessionFlags.ServerWindowScale;
                s.Flags = p.SackPermitted ? s.Flags | TcpSessionFlags.ClientSackOk : s.Flags & ~TcpSessionFlags.ClientSackOk;
            }
            else
            {
                // A resent SYN: the session follows the latest (Suricata also queues the earlier ones
                // to match a late SYN/ACK; this tracker keeps only the latest).
                s.Client.Isn = p.Seq;
                s.Client.NextSeq = p.Seq + 1;
                ApplySyn(s, in p);
            }
        }
        else if (p.IsAck)
        {
            if (!_async)
            {
                return true;
            }

            // One-sided: the client's ACK after its SYN, no SYN/ACK seen.
            if (p.Seq != s.Client.NextSeq)
            {
                return Reject(StreamEvent.ThreeWhsAsyncWrongSeq);
            }

            s.Flags |= TcpSessionFlags.Async;
            s.SetState(TcpState.Established);
            s.Client.Window = p.Window;
            s.Client.LastAck = p.Seq;
            s.Client.NextWin = s.Client.LastAck + s.Client.Window;
            s.Server.Isn = p.Ack - 1;
            s.Server.NextSeq = s.Server.Isn + 1;
            s.Server.LastAck = s.Server.NextSeq;
            s.Server.NextWin = s.Server.LastAck;
            if ((s.Flags & TcpSessionFlags.ServerWindowScale) != 0)
            {
                s.Client.WindowScale = MaxWindowScale;
            }

            if (p.HasTimestamp && (s.Client.Flags & TcpStreamFlags.Timestamp) != 0)
            {
                s.Flags |= TcpSessionFlags.Timestamp;
                s.Client.Flags &= ~TcpStreamFlags.Timestamp;
                s.Client.LastPacketTs = p.Seconds;
            }
            else
            {
                s.Client.LastTs = 0;
                s.Client.Flags &= ~TcpStreamFlags.ZeroTimestamp;
            }

            if ((s.Flags & TcpSessionFlags.ClientSackOk) != 0)
            {
                s.Flags |= TcpSessionFlags.SackOk;
            }

            HandleSegment(ref s.Client, in p);
        }

        return true;
    }

    /// <summary>A SYN/ACK from the client: valid only after the server's own SYN (a four-way handshake).</summary>
    private bool FourWayHandshakeSynAck(TcpSession s, in TcpSegment p)
    {
        if ((s.Flags & TcpSessionFlags.FourWayHandshake) == 0)
        {
            return Reject(StreamEvent.ThreeWhsSynAckInWrongDirection);
        }

        if (p.Ack != s.Server.Isn + 1)
        {
            return Reject(StreamEvent.FourWhsSynAckWithWrongAck);
        }

        if (p.Seq != s.Client.Isn)
        {
            return Reject(StreamEvent.FourWhsSynAckWithWrongSyn);
        }

        // The client answers the server's SYN: the roles of the three-way handshake, mirrored.
        AcceptSynAck(s, ref s.Client, ref s.Server, in p);
        return true;
    }

    /// <summary>A SYN/ACK to a Fast Open SYN: it acknowledges the SYN's data, or only the SYN (the data is then ignored).</summary>
    private bool SynAckFastOpen(TcpSession s, in TcpSegment p, bool timestampMismatch)
    {
        bool ackMatchesData = p.Ack == s.Client.NextSeq;
        bool ackMatchesSyn = p.Ack == s.Client.Isn + 1;
        if (ackMatchesData && !timestampMismatch)
        {
            // The data was accepted.
        }
        else if (ackMatchesSyn && !timestampMismatch)
        {
            s.Client.NextSeq = s.Client.Isn;
            SetEvent(StreamEvent.ThreeWhsSynAckTfoDataIgnored);
            s.Flags |= TcpSessionFlags.FastOpenDataIgnored;
        }
        else
        {
            return Reject(!ackMatchesData && !ackMatchesSyn ? StreamEvent.ThreeWhsSynAckWithWrongAck : StreamEvent.PacketInvalidTimestamp);
        }

        s.Flags |= TcpSessionFlags.FastOpen;
        return true;
    }

    /// <summary>Suricata's StreamTcp3whsSynAckUpdate: the session after a valid SYN/ACK from the server.</summary>
    private static void SynAckUpdate(TcpSession s, in TcpSegment p)
    {
        AcceptSynAck(s, ref s.Server, ref s.Client, in p);
        s.Flags &= ~TcpSessionFlags.FourWayHandshake;
    }

    /// <summary>
    /// A valid SYN/ACK from <paramref name="responder"/> to the side that sent the SYN
    /// (<paramref name="initiator"/>): SYN_RECV, the responder's ISN, the initiator's window (not
    /// scaled yet), timestamps when both SYNs had them, window scale and SACK when both offered them.
    /// </summary>
    private static void AcceptSynAck(TcpSession s, ref TcpStream responder, ref TcpStream initiator, in TcpSegment p)
    {
        s.SetState(TcpState.SynRecv);
        responder.Isn = p.Seq;
        responder.NextSeq = p.Seq + 1;
        initiator.Window = p.Window;
        if (p.HasTimestamp && (initiator.Flags & TcpStreamFlags.Timestamp) != 0)
        {
            responder.LastTs = p.TsVal;
            s.Flags |= TcpSessionFlags.Timestamp;
            responder.LastPacketTs = p.Seconds;
            if (p.TsVal == 0)
            {
                responder.Flags |= TcpStreamFlags.ZeroTimestamp;
            }
        }
        else
        {
            initiator.LastTs = 0;
            responder.LastTs = 0;
            initiator.Flags &= ~TcpStreamFlags.ZeroTimestamp;
        }

        initiator.LastAck = p.Ack;
        responder.LastAck = responder.Isn + 1;
        initiator.WindowScale = (s.Flags & TcpSessionFlags.ServerWindowScale) != 0 && p.HasWindowScale ? p.WindowScale : (byte)0;
        s.Flags = (s.Flags & TcpSessionFlags.ClientSackOk) != 0 && p.SackPermitted ? s.Flags | TcpSessionFlags.SackOk : s.Flags & ~TcpSessionFlags.SackOk;
        responder.NextWin = responder.LastAck + responder.Window;
        initiator.NextWin = initiator.LastAck + initiator.Window;
    }

    /// <summary>The server's answer to the SYN must echo the client's timestamp (or none when the SYN had none).</summary>
    private static bool SynSentTimestampValid(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (toServer || !p.HasTimestamp)
        {
            return true;
        }

        if ((s.Client.Flags & TcpStreamFlags.Timestamp) != 0)
        {
            return s.Client.LastTs == 0 || p.TsEcr == 0 || p.TsEcr == s.Client.LastTs;
        }

        return !(s.Client.LastTs == 0 && p.TsEcr != 0);
    }

    /// <summary>After the SYN/ACK: the client's ACK completes the handshake; the other packets are checked against it.</summary>
    private bool SynRecv(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.IsRst)
        {
            if (!RstValid(s, in p, toServer))
            {
                return false;
            }

            // After an evasion attempt (right sequence number, wrong ACK) Linux and Solaris hosts keep the session.
            if ((s.Flags & TcpSessionFlags.DetectionEvasionAttempt) == 0
                || Receiver(s, toServer).OsPolicy is not (OsPolicy.Linux or OsPolicy.OldLinux or OsPolicy.Solaris))
            {
                CloseWithReset(s);
                if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
                {
                    _ = HandleTimestamp(s, in p, toServer);
                }
            }

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
                return Reject(StreamEvent.ThreeWhsSynAckToServerOnSynRecv);
            }

            if (p.Ack != s.Client.LastAck)
            {
                return Reject(StreamEvent.ThreeWhsSynAckResendWithDifferentAck);
            }

            // A SYN/ACK resent with another sequence number: Suricata queues it for a later ACK to pick; this tracker keeps the first.
            return true;
        }

        if (p.IsSyn)
        {
            if (!toServer)
            {
                return Reject(StreamEvent.ThreeWhsSynToClientOnSynRecv);
            }

            if (p.Seq != s.Client.Isn)
            {
                return Reject(StreamEvent.ThreeWhsSynResendDiffSeqOnSynRecv);
            }

            return true;
        }

        if (!p.IsAck)
        {
            return true;
        }

        if ((s.Flags & TcpSessionFlags.Timestamp) != 0 && !TimestampValid(s, in p, toServer))
        {
            return false;
        }

        if ((s.Flags & TcpSessionFlags.FourWayHandshake) != 0 && !toServer)
        {
            return FourWayHandshakeAck(s, in p, toServer);
        }

        bool missedHandshakeAck = false;
        if (!toServer && (s.Flags & (TcpSessionFlags.MidstreamSynAck | TcpSessionFlags.FastOpen)) == 0)
        {
            // Traffic from the server before the handshake's last ACK: lost packets in IDS mode, refused inline.
            if (_inline)
            {
                if (p.PayloadLength > 0 && p.Ack == s.Client.LastAck && p.Seq == s.Server.NextSeq)
                {
                    return Reject(StreamEvent.ThreeWhsAckDataInject);
                }

                return Reject(StreamEvent.ThreeWhsAckInWrongDir);
            }

            missedHandshakeAck = true;
        }

        if (p.Seq == s.Client.NextSeq && p.Ack == s.Server.NextSeq)
        {
            if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
            {
                _ = HandleTimestamp(s, in p, toServer);
            }

            UpdateLastAck(ref s.Server, p.Ack);
            UpdateNextSeq(s, ref s.Client, s.Client.NextSeq + p.PayloadLength);
            s.Server.Window = (uint)p.Window << s.Server.WindowScale;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            if ((s.Flags & TcpSessionFlags.Midstream) != 0)
            {
                s.Client.Window = (uint)p.Window << s.Client.WindowScale;
                s.Client.NextWin = s.Client.LastAck + s.Client.Window;
                if ((s.Flags & TcpSessionFlags.MidstreamSynAck) == 0)
                {
                    AssumeLargestScaling(s);
                }
            }

            s.SetState(TcpState.Established);
            HandleSegment(ref s.Client, in p);
        }
        else if (_async && p.Seq == s.Server.NextSeq)
        {
            s.Flags |= TcpSessionFlags.Async;
            s.Server.NextSeq += p.PayloadLength;
            s.Server.LastAck = p.Seq;
            s.Client.Window = (uint)p.Window << s.Client.WindowScale;
            s.Client.LastAck = p.Ack;
            if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
            {
                _ = HandleTimestamp(s, in p, toServer);
            }

            if ((s.Flags & TcpSessionFlags.Midstream) != 0)
            {
                s.Server.Window = p.Window;
                s.Server.NextWin = s.Server.LastAck + s.Server.Window;
                AssumeLargestScaling(s);
            }

            s.SetState(TcpState.Established);
            HandleSegment(ref s.Server, in p);
        }
        else if (p.Seq == s.Client.NextSeq)
        {
            // The right sequence number with a wrong ACK: some hosts keep such a session open.
            s.Flags |= TcpSessionFlags.DetectionEvasionAttempt;
            return Reject(StreamEvent.ThreeWhsRightSeqWrongAckEvasion);
        }
        else if (!toServer && !_inline && SeqGt(p.Seq, s.Client.NextSeq) && SeqGt(p.Ack, s.Client.LastAck))
        {
            // The server acknowledges data not seen: the handshake's ACK and more were lost.
            if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
            {
                _ = HandleTimestamp(s, in p, toServer);
            }

            UpdateLastAck(ref s.Client, p.Ack);
            s.Server.NextSeq = p.Seq + p.PayloadLength;
            s.Client.Window = (uint)p.Window << s.Client.WindowScale;
            s.Client.NextWin = s.Client.LastAck + s.Client.Window;
            s.Client.Window = p.Window;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            s.SetState(TcpState.Established);
            HandleSegment(ref s.Server, in p);
        }
        else if (SeqGt(p.Seq, s.Client.NextSeq) && SeqLeq(p.Seq, s.Client.NextWin) && p.Ack == s.Server.NextSeq)
        {
            // In window past the handshake with the right ACK: packets were lost.
            if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
            {
                _ = HandleTimestamp(s, in p, toServer);
            }

            s.Client.NextSeq = p.Seq + p.PayloadLength;
            UpdateLastAck(ref s.Server, p.Ack);
            s.Server.Window = (uint)p.Window << s.Server.WindowScale;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            if ((s.Flags & TcpSessionFlags.Midstream) != 0)
            {
                s.Client.Window = p.Window;
                s.Server.NextWin = s.Server.LastAck + s.Server.Window;
                AssumeLargestScaling(s);
            }

            s.SetState(TcpState.Established);
            HandleSegment(ref s.Client, in p);
        }
        else if ((missedHandshakeAck || (s.Flags & TcpSessionFlags.FastOpen) != 0) && p.Ack == s.Client.LastAck && p.Seq == s.Server.NextSeq)
        {
            // The server's first packet right after a lost handshake ACK (or after a Fast Open SYN/ACK).
            UpdateNextSeq(s, ref s.Server, p.Seq + p.PayloadLength);
            s.Server.Window = (uint)p.Window << s.Server.WindowScale;
            s.Server.NextWin = s.Server.LastAck + s.Server.Window;
            s.SetState(TcpState.Established);
            HandleSegment(ref s.Server, in p);
        }
        else
        {
            return Reject(StreamEvent.ThreeWhsWrongSeqWrongAck);
        }

        return true;
    }

    /// <summary>A session picked up midstream: window scaling is unknown, so the largest is assumed (and SACK), as Suricata does.</summary>
    private static void AssumeLargestScaling(TcpSession s)
    {
        s.Server.WindowScale = MaxWindowScale;
        s.Client.WindowScale = MaxWindowScale;
        s.Flags |= TcpSessionFlags.SackOk;
    }

    /// <summary>The server's ACK of the client's SYN/ACK in a four-way handshake.</summary>
    private bool FourWayHandshakeAck(TcpSession s, in TcpSegment p, bool toServer)
    {
        if (p.Seq != s.Server.NextSeq)
        {
            return Reject(StreamEvent.FourWhsWrongSeq);
        }

        if (!AckValid(s, ref s.Client, in p, toServer))
        {
            return Reject(StreamEvent.FourWhsInvalidAck);
        }

        if ((s.Flags & TcpSessionFlags.Timestamp) != 0)
        {
            _ = HandleTimestamp(s, in p, toServer);
        }

        UpdateLastAck(ref s.Client, p.Ack);
        UpdateNextSeq(s, ref s.Server, s.Server.NextSeq + p.PayloadLength);
        s.Client.Window = (uint)p.Window << s.Client.WindowScale;
        s.Client.NextWin = s.Client.LastAck + s.Client.Window;
        s.SetState(TcpState.Established);
        HandleSegment(ref s.Server, in p);
        return true;
    }
}
