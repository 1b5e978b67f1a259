using System.Buffers.Binary;
using Capture.Abstractions;

namespace Capture.Pcap.Bypass;

/// <summary>
/// The software twin of the kernel filter's parser: outer link header, up to three VLAN tags
/// (plus a tag the capture stripped), IPv4 or IPv6 and the TCP/UDP ports. Tunnels are not
/// followed: a flow inside a tunnel is never bypassed by the capture.
/// </summary>
internal static class OuterHeaderParser
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86dd;
    private const int MaxVlans = 3;

    /// <summary>Parses a packet's outer headers into the key of its half flow.</summary>
    /// <param name="linkType">The packet's link type.</param>
    /// <param name="frame">The captured bytes.</param>
    /// <param name="vlanTci">A tag the capture removed (with <see cref="PacketFlags.VlanTciValid"/>).</param>
    /// <param name="flags">The packet's flags.</param>
    /// <param name="key">The key.</param>
    /// <returns>False when the packet is not TCP/UDP over IPv4/IPv6 on a link we parse, or is cut short.</returns>
    public static bool TryParse(LinkType linkType, ReadOnlySpan<byte> frame, ushort vlanTci, PacketFlags flags, out HalfFlowKey key)
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

        bool isIPv6;
        byte protocol;
        int transport;
        ReadOnlySpan<byte> source;
        ReadOnlySpan<byte> destination;
        if (etherType == EtherTypeIPv4)
        {
            if (frame.Length < offset + 20 || (frame[offset] >> 4) != 4)
            {
                return false;
            }

            int headerLength = (frame[offset] & 0x0f) * 4;
            if (headerLength < 20 || (BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 6)..]) & 0x1fff) != 0)
            {
                // Bad header, or a non-first fragment: no ports to match.
                return false;
            }

            isIPv6 = false;
            protocol = frame[offset + 9];
            source = frame.Slice(offset + 12, 4);
            destination = frame.Slice(offset + 16, 4);
            transport = offset + headerLength;
        }
        else if (etherType == EtherTypeIPv6)
        {
            if (frame.Length < offset + 40 || (frame[offset] >> 4) != 6)
            {
                return false;
            }

            isIPv6 = true;
            protocol = frame[offset + 6];
            source = frame.Slice(offset + 8, 16);
            destination = frame.Slice(offset + 24, 16);
            transport = offset + 40;

            // A few extension headers, as far as the ports (hop-by-hop, routing, destination options, first fragment).
            for (int i = 0; i < 4 && protocol is 0 or 43 or 60 or 44; i++)
            {
                if (frame.Length < transport + 8)
                {
                    return false;
                }

                if (protocol == 44)
                {
                    if ((BinaryPrimitives.ReadUInt16BigEndian(frame[(transport + 2)..]) & 0xfff8) != 0)
                    {
                        return false;
                    }

                    protocol = frame[transport];
                    transport += 8;
                }
                else
                {
                    protocol = frame[transport];
                    transport += (frame[transport + 1] + 1) * 8;
                }
            }
        }
        else
        {
            return false;
        }

        if (protocol is not (6 or 17) || frame.Length < transport + 4)
        {
            return false;
        }

        key = new HalfFlowKey(
            isIPv6,
            source,
            destination,
            BinaryPrimitives.ReadUInt16BigEndian(frame[transport..]),
            BinaryPrimitives.ReadUInt16BigEndian(frame[(transport + 2)..]),
            protocol,
            (ushort)(vlans & 0xfff),
            (ushort)((vlans >> 12) & 0xfff),
            (ushort)((vlans >> 24) & 0xfff));
        return true;
    }
}
