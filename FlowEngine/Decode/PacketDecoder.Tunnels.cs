using Capture.Abstractions;

namespace FlowEngine.Decode;

/// <summary>
/// Tunnels: GRE (with ERSPAN I/II/III, PPTP's enhanced GRE and WCCP), VXLAN, Geneve and Teredo.
/// The inner packet's IP header adds a layer one tunnel deeper (IP-in-IP is in the network part).
/// </summary>
public sealed partial class PacketDecoder
{
    private const ushort GreFlagChecksum = 0x8000;
    private const ushort GreFlagRouting = 0x4000;
    private const ushort GreFlagKey = 0x2000;
    private const ushort GreFlagSequence = 0x1000;
    private const ushort GreFlagAck = 0x0080;
    private const ushort GreProtocolPpp = 0x880B;
    private const ushort GreProtocolErspanII = 0x88BE;
    private const ushort GreProtocolErspanIII = 0x22EB;
    private const ushort GreProtocolWccp = 0x883E;

    /// <summary>Decodes GRE at <paramref name="offset"/>; <paramref name="outerIndex"/> is the carrying IP layer, or -1.</summary>
    private void DecodeGre(ref DecodeContext ctx, int outerIndex, int offset)
    {
        _ = outerIndex;
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 4)
        {
            Fail(ref ctx, DecoderCounter.GrePktTooSmall, DecodeResult.Truncated);
            return;
        }

        ushort flags = U16(d, offset);
        ushort protocol = U16(d, offset + 2);
        int headerLength = 4;
        Count(DecoderCounter.Gre);
        switch (flags & 0x0007)
        {
            case 0:
                if ((flags & (GreFlagChecksum | GreFlagRouting)) != 0)
                {
                    headerLength += 4;
                }

                if ((flags & GreFlagKey) != 0)
                {
                    headerLength += 4;
                }

                if ((flags & GreFlagSequence) != 0)
                {
                    headerLength += 4;
                }

                if (headerLength > available)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion0HdrTooBig, DecodeResult.Truncated);
                    return;
                }

                if ((flags & GreFlagRouting) != 0)
                {
                    // Source route entries: family, offset, length, data ...; ends with family 0, length 0.
                    while (true)
                    {
                        if (available - headerLength < 4)
                        {
                            Fail(ref ctx, DecoderCounter.GreVersion0MalformedSreHdr, DecodeResult.Malformed);
                            return;
                        }

                        int family = U16(d, offset + headerLength);
                        int length = d[offset + headerLength + 3];
                        headerLength += 4 + length;
                        if (family == 0 && length == 0)
                        {
                            break;
                        }

                        if (headerLength > available)
                        {
                            Fail(ref ctx, DecoderCounter.GreVersion0MalformedSreHdr, DecodeResult.Malformed);
                            return;
                        }
                    }
                }

                break;
            case 1:
                // PPTP's enhanced GRE: key (payload length, call id) always, PPP inside.
                if ((flags & GreFlagChecksum) != 0)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion1Chksum, DecodeResult.Malformed);
                    return;
                }

                if ((flags & GreFlagRouting) != 0)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion1Route, DecodeResult.Malformed);
                    return;
                }

                if ((flags & GreFlagKey) == 0)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion1NoKey, DecodeResult.Malformed);
                    return;
                }

                if (protocol != GreProtocolPpp)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion1WrongProtocol, DecodeResult.Malformed);
                    return;
                }

                headerLength = 8 + ((flags & GreFlagSequence) != 0 ? 4 : 0) + ((flags & GreFlagAck) != 0 ? 4 : 0);
                if (headerLength > available)
                {
                    Fail(ref ctx, DecoderCounter.GreVersion1HdrTooBig, DecodeResult.Truncated);
                    return;
                }

                break;
            default:
                Fail(ref ctx, DecoderCounter.GreWrongVersion, DecodeResult.Malformed);
                return;
        }

        int payload = offset + headerLength;
        if (payload >= ctx.End)
        {
            // Keepalives and acknowledgements carry nothing.
            return;
        }

        if ((flags & (0x0007 | GreFlagRouting)) != 0)
        {
            // The XDP filter follows version 0 without source routing only: anything inside is another tunnel to it.
            ctx.Tunnel = TunnelKind.Other;
        }
        else if (protocol is EtherTypeBridging or EtherTypeIPv4 or EtherTypeIPv6)
        {
            // The key follows the checksum word when there is one.
            ctx.Tunnel = TunnelKind.Gre;
            ctx.TunnelId = (flags & GreFlagKey) != 0 ? U32(d, offset + ((flags & GreFlagChecksum) != 0 ? 8 : 4)) : 0;
        }

        switch (protocol)
        {
            case EtherTypeBridging:
                DecodeEthernet(ref ctx, payload);
                return;
            case GreProtocolErspanII:
                if ((flags & GreFlagSequence) == 0)
                {
                    // Type I: no ERSPAN header, the mirrored frame follows GRE directly.
                    Count(DecoderCounter.Erspan);
                    NameErspan(ref ctx, 0);
                    DecodeEthernet(ref ctx, payload);
                    return;
                }

                DecodeErspanII(ref ctx, payload);
                return;
            case GreProtocolErspanIII:
                DecodeErspanIII(ref ctx, payload);
                return;
            case GreProtocolPpp:
                DecodeGrePpp(ref ctx, payload);
                return;
            case GreProtocolWccp:
                // WCCPv2 redirect header (4 bytes) unless the IPv4 header follows at once.
                DecodeIPv4(ref ctx, (d[payload] & 0xF0) == 0x40 ? payload : payload + 4);
                return;
            default:
                DecodeEtherType(ref ctx, payload, protocol);
                return;
        }
    }

    private void DecodeGrePpp(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 2)
        {
            Fail(ref ctx, DecoderCounter.PppPktTooSmall, DecodeResult.Truncated);
            return;
        }

        // Address 0xFF and control 0x03 may be compressed away, and so may the protocol's high byte.
        if (d[offset] == 0xFF && d[offset + 1] == 0x03)
        {
            offset += 2;
        }

        if (ctx.End - offset < 1)
        {
            Fail(ref ctx, DecoderCounter.PppPktTooSmall, DecodeResult.Truncated);
            return;
        }

        if ((d[offset] & 1) != 0)
        {
            DecodePppProtocol(ref ctx, d[offset], offset + 1);
            return;
        }

        if (ctx.End - offset < 2)
        {
            Fail(ref ctx, DecoderCounter.PppPktTooSmall, DecodeResult.Truncated);
            return;
        }

        DecodePppProtocol(ref ctx, U16(d, offset), offset + 2);
    }

    private void DecodeErspanII(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 8)
        {
            Fail(ref ctx, DecoderCounter.ErspanHeaderTooSmall, DecodeResult.Truncated);
            return;
        }

        if (d[offset] >> 4 != 1)
        {
            Fail(ref ctx, DecoderCounter.ErspanUnsupportedVersion, DecodeResult.Malformed);
            return;
        }

        Count(DecoderCounter.Erspan);
        NameErspan(ref ctx, U16(d, offset + 2) & 0x03FFu);
        DecodeEthernet(ref ctx, offset + 8);
    }

    private void DecodeErspanIII(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 12)
        {
            Fail(ref ctx, DecoderCounter.ErspanHeaderTooSmall, DecodeResult.Truncated);
            return;
        }

        if (d[offset] >> 4 != 2)
        {
            Fail(ref ctx, DecoderCounter.ErspanUnsupportedVersion, DecodeResult.Malformed);
            return;
        }

        // Word 3: SGT(16) P(1) FT(5) HW-ID(6) D(1) Gra(2) O(1); O adds an 8-byte platform sub-header.
        int headerLength = (d[offset + 11] & 0x01) != 0 ? 20 : 12;
        if (ctx.End - offset < headerLength)
        {
            Fail(ref ctx, DecoderCounter.ErspanHeaderTooSmall, DecodeResult.Truncated);
            return;
        }

        Count(DecoderCounter.Erspan);
        int frameType = (d[offset + 10] >> 2) & 0x1F;
        if (frameType != 0)
        {
            // Only mirrored Ethernet frames are decoded.
            Fail(ref ctx, DecoderCounter.ErspanUnsupportedVersion, DecodeResult.Ok);
            return;
        }

        NameErspan(ref ctx, U16(d, offset + 2) & 0x03FFu);
        DecodeEthernet(ref ctx, offset + headerLength);
    }

    // ERSPAN's session names the tunnel unless its GRE header already made it one the filter does not follow.
    private static void NameErspan(ref DecodeContext ctx, uint session)
    {
        if (ctx.Tunnel == TunnelKind.None)
        {
            ctx.Tunnel = TunnelKind.Erspan;
            ctx.TunnelId = session;
        }
    }

    private void DecodeVxlan(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;

        // Not VXLAN (just UDP to the port) unless the header and an inner frame fit and the I flag is set.
        if (ctx.End - offset < 8 + 14 || (d[offset] & 0x08) == 0)
        {
            return;
        }

        Count(DecoderCounter.Vxlan);
        ushort inner = U16(d, offset + 8 + 12);
        if (inner is not (EtherTypeIPv4 or EtherTypeIPv6 or EtherTypeArp or EtherTypeVlan or EtherTypeQinQ))
        {
            Count(DecoderCounter.VxlanUnknownPayloadType);
        }

        ctx.Tunnel = TunnelKind.Vxlan;
        ctx.TunnelId = U32(d, offset + 4) >> 8;
        DecodeEthernet(ref ctx, offset + 8);
    }

    private void DecodeGeneve(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 8 || d[offset] >> 6 != 0)
        {
            return;
        }

        int headerLength = 8 + ((d[offset] & 0x3F) << 2);
        if (headerLength > ctx.End - offset)
        {
            return;
        }

        Count(DecoderCounter.Geneve);
        ctx.Tunnel = TunnelKind.Geneve;
        ctx.TunnelId = U32(d, offset + 4) >> 8;
        ushort protocol = U16(d, offset + 2);
        int payload = offset + headerLength;
        switch (protocol)
        {
            case EtherTypeBridging:
                DecodeEthernet(ref ctx, payload);
                break;
            case EtherTypeIPv4:
                DecodeIPv4(ref ctx, payload);
                break;
            case EtherTypeIPv6:
                DecodeIPv6(ref ctx, payload);
                break;
            default:
                Count(DecoderCounter.GeneveUnknownPayloadType);
                break;
        }
    }

    private void DecodeTeredo(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int p = offset;

        // Optional authentication (0x0001) and origin indication (0x0000) headers precede IPv6.
        if (ctx.End - p >= 4 && d[p] == 0 && d[p + 1] == 1)
        {
            p += 4 + d[p + 2] + d[p + 3] + 8 + 1;
        }

        if (ctx.End - p >= 8 && d[p] == 0 && d[p + 1] == 0)
        {
            p += 8;
        }

        // Only a packet that is exactly one IPv6 packet is taken as Teredo.
        if (ctx.End - p < 40 || d[p] >> 4 != 6 || 40 + U16(d, p + 4) != ctx.End - p)
        {
            return;
        }

        Count(DecoderCounter.Teredo);
        DecodeIPv6(ref ctx, p);
    }
}
