namespace FlowEngine.Decode;

/// <summary>TCP, UDP, SCTP, ESP, ICMPv4 and ICMPv6 (with the packet an error message embeds).</summary>
public sealed partial class PacketDecoder
{
    private void DecodeTcp(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 20)
        {
            Fail(ref ctx, DecoderCounter.TcpPktTooSmall, DecodeResult.Truncated);
            return;
        }

        int headerLength = (d[offset + 12] >> 4) << 2;
        if (headerLength < 20)
        {
            Fail(ref ctx, DecoderCounter.TcpHlenTooSmall, DecodeResult.InvalidLength);
            return;
        }

        if (headerLength > available)
        {
            Fail(ref ctx, DecoderCounter.TcpInvalidOptlen, DecodeResult.Truncated);
            return;
        }

        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        layer.SourcePort = U16(d, offset);
        layer.DestinationPort = U16(d, offset + 2);
        layer.TcpSequence = U32(d, offset + 4);
        layer.TcpAcknowledgement = U32(d, offset + 8);
        byte flags = d[offset + 13];
        layer.TcpFlags = flags;
        layer.PayloadOffset = offset + headerLength;
        layer.PayloadLength = available - headerLength;
        layer.Flags |= PacketLayerFlags.HasFlowKey;
        Count(DecoderCounter.Tcp);
        if ((flags & TcpFlags.Syn) != 0)
        {
            Count((flags & TcpFlags.Ack) != 0 ? DecoderCounter.TcpSynAck : DecoderCounter.TcpSyn);
        }
        else if ((flags & 0x04) != 0)
        {
            Count(DecoderCounter.TcpRst);
        }

        // NOP, NOP, timestamps (Linux's data segments) is valid as is; anything else is walked.
        if (headerLength > 20 && !(headerLength == 32 && U32(d, offset + 20) == 0x0101080A))
        {
            CheckTcpOptions(d.Slice(offset + 20, headerLength - 20), ref ctx.Packet);
        }
    }

    private void CheckTcpOptions(ReadOnlySpan<byte> options, ref DecodedPacket packet)
    {
        uint seen = 0;
        var walker = new OptionWalker(options);
        while (walker.MoveNext())
        {
            // MSS 4, window scale 3, SACK permitted 2, timestamps 10: fixed lengths, once each.
            int expected = walker.Kind switch { 2 => 4, 3 => 3, 4 => 2, 8 => 10, _ => 0 };
            if (expected != 0)
            {
                if (walker.Length != expected)
                {
                    Counter(DecoderCounter.TcpOptInvalidLen)++;
                    packet.AddEvent(DecoderCounter.TcpOptInvalidLen);
                }

                uint bit = 1u << walker.Kind;
                if ((seen & bit) != 0)
                {
                    Counter(DecoderCounter.TcpOptDuplicate)++;
                    packet.AddEvent(DecoderCounter.TcpOptDuplicate);
                }

                seen |= bit;
            }
        }

        if (walker.Fault != OptionFault.None)
        {
            Counter(DecoderCounter.TcpOptInvalidLen)++;
            packet.AddEvent(DecoderCounter.TcpOptInvalidLen);
        }
    }

    private void DecodeUdp(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 8)
        {
            Fail(ref ctx, DecoderCounter.UdpPktTooSmall, DecodeResult.Truncated);
            return;
        }

        int length = U16(d, offset + 4);
        if (length < 8)
        {
            // Zero is legal in an IPv6 jumbogram only; take the IP length then.
            if (!(length == 0 && ctx.Packet.Layers[index].IsIPv6))
            {
                // Suricata's udp.len_invalid: the length field cannot even cover the header.
                Fail(ref ctx, DecoderCounter.UdpLenInvalid, DecodeResult.InvalidLength);
                return;
            }

            length = available;
        }

        if (length > available)
        {
            if (!ctx.Snapped)
            {
                Fail(ref ctx, DecoderCounter.UdpHlenInvalid, DecodeResult.InvalidLength);
                return;
            }

            length = available;
        }

        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        ushort sourcePort = U16(d, offset);
        ushort destinationPort = U16(d, offset + 2);
        layer.SourcePort = sourcePort;
        layer.DestinationPort = destinationPort;
        layer.PayloadOffset = offset + 8;
        layer.PayloadLength = length - 8;
        layer.Flags |= PacketLayerFlags.HasFlowKey;
        Count(DecoderCounter.Udp);

        int payload = offset + 8;
        int payloadLength = length - 8;
        if (payloadLength <= 0)
        {
            return;
        }

        if (_options.IsVxlanPort(destinationPort))
        {
            ctx.End = payload + payloadLength;
            DecodeVxlan(ref ctx, payload);
        }
        else if (destinationPort == _options.GenevePort && destinationPort != 0)
        {
            ctx.End = payload + payloadLength;
            DecodeGeneve(ref ctx, payload);
        }
        else if (_options.TeredoPort != 0 && (destinationPort == _options.TeredoPort || sourcePort == _options.TeredoPort))
        {
            ctx.End = payload + payloadLength;
            DecodeTeredo(ref ctx, payload);
        }
    }

    private void DecodeSctp(ref DecodeContext ctx, int index, int offset) =>
        DecodeKeyedByFirstWord(ref ctx, index, offset, 12, DecoderCounter.SctpPktTooSmall, DecoderCounter.Sctp);

    // ESP is keyed by its SPI, split over the two port fields.
    private void DecodeEsp(ref DecodeContext ctx, int index, int offset) =>
        DecodeKeyedByFirstWord(ref ctx, index, offset, 8, DecoderCounter.EspPktTooSmall, DecoderCounter.Esp);

    /// <summary>A transport whose flow key is its first two 16-bit fields (SCTP ports, the ESP SPI) after which a fixed header ends.</summary>
    private void DecodeKeyedByFirstWord(ref DecodeContext ctx, int index, int offset, int headerLength, DecoderCounter tooSmall, DecoderCounter decoded)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < headerLength)
        {
            Fail(ref ctx, tooSmall, DecodeResult.Truncated);
            return;
        }

        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        layer.SourcePort = U16(d, offset);
        layer.DestinationPort = U16(d, offset + 2);
        layer.PayloadOffset = offset + headerLength;
        layer.PayloadLength = ctx.End - offset - headerLength;
        layer.Flags |= PacketLayerFlags.HasFlowKey;
        Count(decoded);
    }

    private void DecodeIcmpv4(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 8)
        {
            Fail(ref ctx, DecoderCounter.Icmpv4PktTooSmall, DecodeResult.Truncated);
            return;
        }

        Count(DecoderCounter.Icmpv4);
        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        byte type = d[offset];
        byte code = d[offset + 1];
        layer.IcmpType = type;
        layer.IcmpCode = code;
        layer.PayloadOffset = offset + 8;
        layer.PayloadLength = ctx.End - offset - 8;
        layer.Flags |= PacketLayerFlags.HasFlowKey;
        SetIcmpPorts(ref layer, type, code, isIPv6: false);

        // The types Suricata knows and the highest code each defines (its icmpv4 unknown_type / unknown_code events).
        int maxCode = type switch
        {
            0 or 4 or 8 or 12 or 13 or 14 or 15 or 16 or 17 or 18 => 0,
            3 => 15,
            5 => 3,
            11 => 1,
            _ => -1,
        };
        if (maxCode < 0)
        {
            Count(DecoderCounter.Icmpv4UnknownType);
        }
        else if (code > maxCode)
        {
            Count(DecoderCounter.Icmpv4UnknownCode);
        }

        // As Suricata: the embedded packet of an error is read only when the error's code is known.
        if (type is 3 or 4 or 5 or 11 or 12 && code <= maxCode)
        {
            AttributeIcmpv4Error(ref ctx, ref layer, offset + 8, destinationUnreachable: type == 3);
        }
    }

    private void DecodeIcmpv6(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 4)
        {
            Fail(ref ctx, DecoderCounter.Icmpv6PktTooSmall, DecodeResult.Truncated);
            return;
        }

        Count(DecoderCounter.Icmpv6);
        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        byte type = d[offset];
        byte code = d[offset + 1];
        layer.IcmpType = type;
        layer.IcmpCode = code;
        layer.Flags |= PacketLayerFlags.HasFlowKey;
        int headerLength = Math.Min(8, ctx.End - offset);
        layer.PayloadOffset = offset + headerLength;
        layer.PayloadLength = ctx.End - offset - headerLength;
        SetIcmpPorts(ref layer, type, code, isIPv6: true);

        // As Suricata: the quote of an error is read only when the error's code is known
        // (unreachable 0-6, packet too big 0, time exceeded 0-1, parameter problem 0-2).
        int maxCode = type switch
        {
            1 => 6,
            2 => 0,
            3 => 1,
            4 => 2,
            _ => -1,
        };
        if (code <= maxCode && headerLength == 8)
        {
            CheckIcmpv6Quote(offset + 8, ctx.End, d);
        }
    }

    /// <summary>
    /// ICMP "ports", as Suricata keys ICMP flows (its icmp_s and icmp_d): the source port is the
    /// message's type, the destination port the type of its answer (echo request and reply,
    /// timestamp, information, address mask, ICMPv6's neighbour and router discovery, ...) or 0.
    /// A request and its reply are then one flow; the same message type both ways, or a reply sent
    /// where a request went, is not. ICMPv6 adds the code to the source (Suricata compares its
    /// type and code there); ICMPv4 keys the types alone. The echo identifier is no part of it.
    /// </summary>
    private static void SetIcmpPorts(ref PacketLayer layer, byte type, byte code, bool isIPv6)
    {
        int answer = isIPv6 ? Icmpv6Answer(type) : Icmpv4Answer(type);
        layer.SourcePort = isIPv6 ? (ushort)(type << 8 | code) : type;
        layer.DestinationPort = answer < 0 ? (ushort)0 : isIPv6 ? (ushort)(answer << 8) : (ushort)answer;
    }

    /// <summary>The type that answers an ICMPv4 message of <paramref name="type"/>, or -1 (Suricata's ICMPv4GetCounterpart).</summary>
    private static int Icmpv4Answer(byte type) => type switch
    {
        8 => 0,
        0 => 8,
        13 => 14,
        14 => 13,
        15 => 16,
        16 => 15,
        17 => 18,
        18 => 17,
        _ => -1,
    };

    /// <summary>The type that answers an ICMPv6 message of <paramref name="type"/>, or -1 (Suricata's ICMPv6GetCounterpart).</summary>
    private static int Icmpv6Answer(byte type) => type switch
    {
        128 => 129,
        129 => 128,
        130 => 131,
        131 => 130,
        133 => 134,
        134 => 133,
        135 => 136,
        136 => 135,
        139 => 140,
        140 => 139,
        144 => 145,
        145 => 144,
        146 => 147,
        147 => 146,
        148 => 149,
        149 => 148,
        151 => 152,
        152 => 151,
        157 => 158,
        158 => 157,
        _ => -1,
    };

    /// <summary>
    /// Re-keys an ICMPv4 error layer to the flow of the packet it quotes (that packet's own
    /// direction), so the error is attributed to that flow. A short or odd quote leaves the layer as
    /// plain ICMP and counts an event; so does, without an event, any error but a destination
    /// unreachable and any quote but a whole TCP or UDP header (see <see cref="QuotesFlowHeader"/>).
    /// </summary>
    private void AttributeIcmpv4Error(ref DecodeContext ctx, ref PacketLayer layer, int offset, bool destinationUnreachable)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 20)
        {
            Count(DecoderCounter.Icmpv4IPv4TruncPkt);
            return;
        }

        if (d[offset] >> 4 != 4)
        {
            Count(DecoderCounter.Icmpv4IPv4UnknownVersion);
            return;
        }

        int headerLength = (d[offset] & 0x0F) << 2;
        if (headerLength < 20 || headerLength > available)
        {
            Count(DecoderCounter.Icmpv4IPv4TruncPkt);
            return;
        }

        byte protocol = d[offset + 9];
        bool firstFragment = (U16(d, offset + 6) & 0x1FFF) == 0;
        if (!TryEmbeddedPorts(d, offset + headerLength, ctx.End, protocol, firstFragment, out ushort sourcePort, out ushort destinationPort))
        {
            Count(DecoderCounter.Icmpv4IPv4TruncPkt);
            return;
        }

        // Suricata's ICMPV4_DEST_UNREACH_IS_VALID: its other errors are plain ICMP to its flow engine.
        if (!destinationUnreachable || !QuotesFlowHeader(protocol, firstFragment, ctx.End - offset - headerLength))
        {
            return;
        }

        SetIPv4Address(ref layer.Source, d, offset + 12);
        SetIPv4Address(ref layer.Destination, d, offset + 16);
        layer.Protocol = protocol;
        layer.SourcePort = sourcePort;
        layer.DestinationPort = destinationPort;
        layer.Flags |= PacketLayerFlags.IcmpErrorForEmbedded;
    }

    /// <summary>
    /// Checks the packet an ICMPv6 error quotes as Suricata's DecodePartialIPV6 does: a whole IPv6
    /// header of version 6, else an event. The error stays keyed as the ICMPv6 packet it is (its own
    /// addresses, type and code): Suricata's flow hash reads the quote of an ICMPv4 destination
    /// unreachable only, so an ICMPv6 error makes or joins a flow of its own.
    /// </summary>
    private void CheckIcmpv6Quote(int offset, int end, ReadOnlySpan<byte> d)
    {
        if (end - offset < 40)
        {
            Count(DecoderCounter.Icmpv6IPv6TruncPkt);
        }
        else if (d[offset] >> 4 != 6)
        {
            Count(DecoderCounter.Icmpv6IPv6UnknownVersion);
        }
    }

    /// <summary>
    /// Whether an error's quote is attributed to the quoted packet's flow: only a whole TCP or UDP
    /// header is (as Suricata's emb_tcph / emb_udph). A quoted tunnel packet (GRE, IP-in-IP, ESP, ...)
    /// names a flow that may not exist at all: a GRE packet whose payload was decoded keys none, and
    /// an error about one (a host without the tunnel answers "protocol unreachable") must not make it.
    /// </summary>
    private static bool QuotesFlowHeader(byte protocol, bool firstFragment, int available) =>
        firstFragment && (protocol == IpProtocol.Tcp ? available >= 20 : protocol == IpProtocol.Udp && available >= 8);

    /// <summary>Ports of a quoted packet's transport (the first 8 bytes are all an error must quote).</summary>
    private static bool TryEmbeddedPorts(ReadOnlySpan<byte> d, int offset, int end, byte protocol, bool firstFragment, out ushort sourcePort, out ushort destinationPort)
    {
        sourcePort = 0;
        destinationPort = 0;
        if (!firstFragment)
        {
            return true;
        }

        switch (protocol)
        {
            case IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp or IpProtocol.Esp:
                if (offset < 0 || end - offset < 4)
                {
                    return false;
                }

                sourcePort = U16(d, offset);
                destinationPort = U16(d, offset + 2);
                return true;
            case IpProtocol.Icmp or IpProtocol.Icmpv6:
            {
                if (offset < 0 || end - offset < 8)
                {
                    return false;
                }

                var quoted = default(PacketLayer);
                SetIcmpPorts(ref quoted, d[offset], d[offset + 1], isIPv6: false);
                sourcePort = quoted.SourcePort;
                destinationPort = quoted.DestinationPort;
                return true;
            }

            default:
                return true;
        }
    }
}
