using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Pcap.Bypass;

/// <summary>
/// The software twin of the kernel filter's parser (Capture.Linux/Xdp/Bpf/xdp_bypass.c, what it
/// matches is in docs/XDP.md): link header, up to three VLAN tags (plus a tag the capture
/// stripped), IPv4 (options skipped) or IPv6 (hop-by-hop, routing and destination options
/// skipped), no fragments, and the TCP/UDP ports; inside one VXLAN, Geneve, GRE or ERSPAN tunnel
/// the inner flow with the tunnel's identity. A test runs both on every shared capture.
/// </summary>
internal static class OuterHeaderParser
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86dd;
    private const ushort EtherTypeBridging = 0x6558;
    private const int MaxVlans = 3;
    private const int MaxIPv6ExtensionHeaders = 4;

    /// <summary>Geneve's port, as the filter and the decoder default to.</summary>
    public const ushort DefaultGenevePort = 6081;

    /// <summary>VXLAN's port, as the filter and the decoder default to.</summary>
    public static ReadOnlySpan<ushort> DefaultVxlanPorts => [4789];

    /// <summary>Parses a packet's outer headers into the key of its half flow.</summary>
    /// <param name="linkType">The packet's link type.</param>
    /// <param name="frame">The captured bytes.</param>
    /// <param name="vlanTci">A tag the capture removed (with <see cref="PacketFlags.VlanTciValid"/>).</param>
    /// <param name="flags">The packet's flags.</param>
    /// <param name="key">The key.</param>
    /// <returns>False when the packet is not TCP/UDP over IPv4/IPv6 on a link we parse, or is cut short.</returns>
    public static bool TryParse(LinkType linkType, ReadOnlySpan<byte> frame, ushort vlanTci, PacketFlags flags, out HalfFlowKey key) =>
        TryParse(linkType, frame, vlanTci, flags, DefaultVxlanPorts, DefaultGenevePort, out key);

    /// <summary>Parses a packet's headers into the key of its half flow, taking VXLAN on <paramref name="vxlanPorts"/> and Geneve on <paramref name="genevePort"/>.</summary>
    /// <param name="linkType">The packet's link type.</param>
    /// <param name="frame">The captured bytes.</param>
    /// <param name="vlanTci">A tag the capture removed (with <see cref="PacketFlags.VlanTciValid"/>).</param>
    /// <param name="flags">The packet's flags.</param>
    /// <param name="vxlanPorts">UDP destination ports carrying VXLAN.</param>
    /// <param name="genevePort">The UDP destination port carrying Geneve; 0 for none.</param>
    /// <param name="key">The key.</param>
    /// <returns>False when the filter would not look the packet up.</returns>
    public static bool TryParse(LinkType linkType, ReadOnlySpan<byte> frame, ushort vlanTci, PacketFlags flags, ReadOnlySpan<ushort> vxlanPorts, ushort genevePort, out HalfFlowKey key)
    {
        key = default;
        // Up to three VLAN ids, outermost first, packed 12 bits each (no stackalloc on the hot path).
        ulong vlans = 0;
        int vlanCount = 0;
        if ((flags & PacketFlags.VlanTciValid) != 0)
        {
            vlans = (ulong)(vlanTci & 0x0fff);
            vlanCount = 1;
        }

        int offset;
        ushort etherType;
        switch (linkType)
        {
            case LinkType.Ethernet:
                if (frame.Length < 14)
                {
                    return false;
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                offset = 14;
                break;
            case LinkType.LinuxSll:
                if (frame.Length < 16)
                {
                    return false;
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                offset = 16;
                break;
            case LinkType.LinuxSll2:
                if (frame.Length < 20)
                {
                    return false;
                }

                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                offset = 20;
                break;
            case LinkType.Raw or LinkType.IPv4 or LinkType.IPv6:
                if (frame.IsEmpty)
                {
                    return false;
                }

                etherType = (frame[0] >> 4) switch { 4 => EtherTypeIPv4, 6 => EtherTypeIPv6, _ => 0 };
                offset = 0;
                break;
            case LinkType.Null or LinkType.Loop:
                if (frame.Length < 4)
                {
                    return false;
                }

                // Null is in the capturing host's byte order: a family fits in the low 16 bits either way.
                uint family = BinaryPrimitives.ReadUInt32LittleEndian(frame);
                if (family > 0xffff)
                {
                    family = BinaryPrimitives.ReverseEndianness(family);
                }

                etherType = family switch { 2 => EtherTypeIPv4, 10 or 24 or 28 or 30 => EtherTypeIPv6, _ => 0 };
                offset = 4;
                break;
            default:
                return false;
        }

        if (!SkipVlans(frame, ref offset, ref etherType, ref vlans, ref vlanCount)
            || !TryIPLayer(frame, offset, etherType, out IPLayer outer))
        {
            return false;
        }

        int carried = TryTunnel(frame, outer, vxlanPorts, genevePort, out FlowTunnel tunnel, out int inner, out ushort innerType);
        if (carried == 0)
        {
            return TryKey(frame, outer, vlans, default, out key);
        }

        if (carried < 0)
        {
            return false;
        }

        // The inner frame's own VLAN ids, as the engine keys a flow inside a tunnel.
        ulong innerVlans = 0;
        int innerVlanCount = 0;
        if (innerType == EtherTypeBridging)
        {
            if (frame.Length < inner + 14)
            {
                return false;
            }

            innerType = BinaryPrimitives.ReadUInt16BigEndian(frame[(inner + 12)..]);
            inner += 14;
            if (!SkipVlans(frame, ref inner, ref innerType, ref innerVlans, ref innerVlanCount))
            {
                return false;
            }
        }

        // One tunnel deep: GRE inside the tunnel is not followed.
        return TryIPLayer(frame, inner, innerType, out IPLayer innerLayer) && TryKey(frame, innerLayer, innerVlans, tunnel, out key);
    }

    /// <summary>Whether the parser follows a tunnel on this UDP port: the carrying flow is never looked up.</summary>
    public static bool CarriesTunnel(ushort port, ReadOnlySpan<ushort> vxlanPorts, ushort genevePort) =>
        port != 0 && (port == genevePort || vxlanPorts.Contains(port));

    // Up to three tags in all (with a stripped one), outermost first; a fourth cannot be keyed.
    private static bool SkipVlans(ReadOnlySpan<byte> frame, ref int offset, ref ushort etherType, ref ulong vlans, ref int vlanCount)
    {
        while (etherType is 0x8100 or 0x88a8 or 0x9100)
        {
            if (vlanCount == MaxVlans || frame.Length < offset + 4)
            {
                return false;
            }

            vlans |= (ulong)(BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]) & 0x0fff) << (12 * vlanCount++);
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += 4;
        }

        return true;
    }

    /// <summary>
    /// IPv4 (options skipped by the header length) or IPv6 (up to four hop-by-hop, routing and
    /// destination options headers skipped) carrying TCP, UDP or GRE; not a fragment, first or later.
    /// </summary>
    private static bool TryIPLayer(ReadOnlySpan<byte> frame, int offset, ushort etherType, out IPLayer layer)
    {
        layer = default;
        if (etherType == EtherTypeIPv4)
        {
            if (frame.Length < offset + 20 || (frame[offset] >> 4) != 4)
            {
                return false;
            }

            int headerLength = (frame[offset] & 0x0f) * 4;
            if (headerLength < 20 || (BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 6)..]) & 0x3fff) != 0)
            {
                // Bad header, or a fragment: later fragments carry no ports, and the filter drops no part of a datagram.
                return false;
            }

            layer = new IPLayer(offset, offset + headerLength, frame[offset + 9], false);
        }
        else if (etherType == EtherTypeIPv6)
        {
            if (frame.Length < offset + 40 || (frame[offset] >> 4) != 6)
            {
                return false;
            }

            byte protocol = frame[offset + 6];
            int transport = offset + 40;
            for (int i = 0; i < MaxIPv6ExtensionHeaders && protocol is 0 or 43 or 60; i++)
            {
                if (frame.Length < transport + 2)
                {
                    return false;
                }

                protocol = frame[transport];
                transport += (frame[transport + 1] + 1) * 8;
            }

            layer = new IPLayer(offset, transport, protocol, true);
        }
        else
        {
            return false;
        }

        return layer.Protocol is 6 or 17 or 47;
    }

    /// <summary>
    /// The tunnel the layer carries, as the filter follows it: 1 (and the inner start and its
    /// ethertype, 0x6558 for an Ethernet frame), 0 when the layer carries none (it is a flow
    /// itself), -1 when it does but the header is cut short or not one the filter keys on.
    /// </summary>
    private static int TryTunnel(ReadOnlySpan<byte> frame, in IPLayer outer, ReadOnlySpan<ushort> vxlanPorts, ushort genevePort, out FlowTunnel tunnel, out int inner, out ushort innerType)
    {
        tunnel = default;
        inner = 0;
        innerType = 0;
        int h = outer.Transport;
        TunnelKind kind;
        uint id = 0;
        if (outer.Protocol == 17)
        {
            if (frame.Length < h + 8)
            {
                return 0;
            }

            ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(h + 2)..]);
            h += 8;
            if (destinationPort != 0 && vxlanPorts.Contains(destinationPort))
            {
                if (frame.Length < h + 8 + 14 || (frame[h] & 0x08) == 0)
                {
                    return 0;
                }

                kind = TunnelKind.Vxlan;
                id = BinaryPrimitives.ReadUInt32BigEndian(frame[(h + 4)..]) >> 8;
                inner = h + 8;
                innerType = EtherTypeBridging;
            }
            else if (destinationPort == genevePort && genevePort != 0)
            {
                if (frame.Length < h + 8 || (frame[h] >> 6) != 0)
                {
                    return 0;
                }

                kind = TunnelKind.Geneve;
                id = BinaryPrimitives.ReadUInt32BigEndian(frame[(h + 4)..]) >> 8;
                innerType = BinaryPrimitives.ReadUInt16BigEndian(frame[(h + 2)..]);
                inner = h + 8 + ((frame[h] & 0x3f) * 4);
            }
            else
            {
                return 0;
            }
        }
        else if (outer.Protocol == 47)
        {
            if (frame.Length < h + 4)
            {
                return -1;
            }

            ushort greFlags = BinaryPrimitives.ReadUInt16BigEndian(frame[h..]);
            ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[(h + 2)..]);
            if ((greFlags & 0x4007) != 0)
            {
                // Version 0 without source routing only.
                return -1;
            }

            int length = (greFlags & 0x8000) != 0 ? 8 : 4;
            if ((greFlags & 0x2000) != 0)
            {
                if (frame.Length < h + length + 4)
                {
                    return -1;
                }

                id = BinaryPrimitives.ReadUInt32BigEndian(frame[(h + length)..]);
                length += 4;
            }

            if ((greFlags & 0x1000) != 0)
            {
                length += 4;
            }

            h += length;
            kind = TunnelKind.Gre;
            if (protocol == 0x88be && (greFlags & 0x1000) == 0)
            {
                // ERSPAN type I: the mirrored frame follows GRE at once.
                kind = TunnelKind.Erspan;
                id = 0;
                protocol = EtherTypeBridging;
            }
            else if (protocol == 0x88be)
            {
                if (frame.Length < h + 8 || (frame[h] >> 4) != 1)
                {
                    return -1;
                }

                kind = TunnelKind.Erspan;
                id = BinaryPrimitives.ReadUInt16BigEndian(frame[(h + 2)..]) & 0x03ffu;
                h += 8;
                protocol = EtherTypeBridging;
            }
            else if (protocol == 0x22eb)
            {
                if (frame.Length < h + 12 || (frame[h] >> 4) != 2 || ((frame[h + 10] >> 2) & 0x1f) != 0)
                {
                    return -1;
                }

                kind = TunnelKind.Erspan;
                id = BinaryPrimitives.ReadUInt16BigEndian(frame[(h + 2)..]) & 0x03ffu;
                h += (frame[h + 11] & 0x01) != 0 ? 20 : 12;
                protocol = EtherTypeBridging;
            }
            else if (protocol is not (EtherTypeBridging or EtherTypeIPv4 or EtherTypeIPv6))
            {
                return -1;
            }

            inner = h;
            innerType = protocol;
        }
        else
        {
            return 0;
        }

        int addressLength = outer.IsIPv6 ? 16 : 4;
        int sourceOffset = outer.Network + (outer.IsIPv6 ? 8 : 12);
        tunnel = new FlowTunnel(
            kind,
            id,
            outer.IsIPv6,
            FlowAddress.FromBytes(frame.Slice(sourceOffset, addressLength)),
            FlowAddress.FromBytes(frame.Slice(sourceOffset + addressLength, addressLength)));
        return 1;
    }

    private static bool TryKey(ReadOnlySpan<byte> frame, in IPLayer layer, ulong vlans, in FlowTunnel tunnel, out HalfFlowKey key)
    {
        key = default;
        if (layer.Protocol is not (6 or 17) || frame.Length < layer.Transport + 4)
        {
            return false;
        }

        int addressLength = layer.IsIPv6 ? 16 : 4;
        int sourceOffset = layer.Network + (layer.IsIPv6 ? 8 : 12);
        key = new HalfFlowKey(
            layer.IsIPv6,
            frame.Slice(sourceOffset, addressLength),
            frame.Slice(sourceOffset + addressLength, addressLength),
            BinaryPrimitives.ReadUInt16BigEndian(frame[layer.Transport..]),
            BinaryPrimitives.ReadUInt16BigEndian(frame[(layer.Transport + 2)..]),
            layer.Protocol,
            (ushort)(vlans & 0xfff),
            (ushort)((vlans >> 12) & 0xfff),
            (ushort)((vlans >> 24) & 0xfff),
            tunnel);
        return true;
    }

    /// <summary>Where an IP layer's header and transport header start, and what it carries.</summary>
    private readonly record struct IPLayer(int Network, int Transport, byte Protocol, bool IsIPv6);
}
