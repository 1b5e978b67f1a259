// Shared kernel-test fixtures (tests/Shared/Kernel). This file: frames built byte by byte for the
// XDP parser's cases and the tunnel tests (CraftedFrames builds plain ones through PacketDotNet).
using System.Buffers.Binary;
using System.Net;

namespace Capture.Tests.Kernel;

/// <summary>Ethernet, VLAN, IPv4 (options, fragments), IPv6 (extension headers), TCP/UDP and the tunnels: VXLAN, Geneve, GRE, ERSPAN II/III.</summary>
public static class TunnelFrames
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Ipv6 = 0x86dd;
    public const ushort Bridging = 0x6558;

    public static byte[] Ethernet(ushort etherType, byte[] payload, params ushort[] vlans) =>
        Ethernet([0x02, 0, 0, 0, 0, 2], [0x02, 0, 0, 0, 0, 1], etherType, payload, vlans);

    public static byte[] Ethernet(byte[] destinationMac, byte[] sourceMac, ushort etherType, byte[] payload, params ushort[] vlans)
    {
        List<byte> f = [.. destinationMac, .. sourceMac];
        foreach (ushort vlan in vlans)
        {
            f.AddRange(Be16(0x8100));
            f.AddRange(Be16(vlan));
        }

        f.AddRange(Be16(etherType));
        f.AddRange(payload);
        return [.. f];
    }

    public static byte[] IPv4(string source, string destination, byte protocol, byte[] payload, byte[]? options = null, ushort fragment = 0)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        byte[] h = new byte[headerLength + payload.Length];
        h[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)h.Length);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), fragment);
        h[8] = 64;
        h[9] = protocol;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(h, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(h, 16);
        options.CopyTo(h, 20);
        payload.CopyTo(h, headerLength);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(10), Checksum(0, h.AsSpan(0, headerLength)));
        if (fragment == 0)
        {
            SetTransportChecksum(protocol, h.AsSpan(12, 8), h.AsSpan(headerLength));
        }

        return h;
    }

    // TCP and UDP checksums over the pseudo-header (addresses, protocol, length): the host checks them.
    private static void SetTransportChecksum(byte protocol, ReadOnlySpan<byte> addresses, Span<byte> segment)
    {
        int at = protocol switch { 6 => 16, 17 => 6, _ => -1 };
        if (at < 0 || segment.Length < at + 2)
        {
            return;
        }

        segment[at] = 0;
        segment[at + 1] = 0;
        uint sum = Sum(0, addresses) + protocol + (uint)segment.Length;
        ushort checksum = Checksum(sum, segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment[at..], protocol == 17 && checksum == 0 ? (ushort)0xffff : checksum);
    }

    private static uint Sum(uint sum, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i + 1 < bytes.Length; i += 2)
        {
            sum += (uint)((bytes[i] << 8) | bytes[i + 1]);
        }

        if ((bytes.Length & 1) != 0)
        {
            sum += (uint)(bytes[^1] << 8);
        }

        return sum;
    }

    private static ushort Checksum(uint sum, ReadOnlySpan<byte> bytes)
    {
        sum = Sum(sum, bytes);
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>IPv6 with extension headers, each (type, body length in 8-byte units beyond the first 8).</summary>
    public static byte[] IPv6(string source, string destination, byte protocol, byte[] payload, params (byte Type, int Units)[] extensions)
    {
        List<byte> chain = [];
        for (int i = 0; i < extensions.Length; i++)
        {
            byte next = i + 1 < extensions.Length ? extensions[i + 1].Type : protocol;
            byte[] e = new byte[extensions[i].Type == 44 ? 8 : 8 * (extensions[i].Units + 1)];
            e[0] = next;
            e[1] = extensions[i].Type == 44 ? (byte)0 : (byte)extensions[i].Units;
            chain.AddRange(e);
        }

        byte[] h = new byte[40 + chain.Count + payload.Length];
        h[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(chain.Count + payload.Length));
        h[6] = extensions.Length > 0 ? extensions[0].Type : protocol;
        h[7] = 64;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(h, 8);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(h, 24);
        chain.CopyTo(h, 40);
        payload.CopyTo(h, 40 + chain.Count);
        if (!extensions.Any(e => e.Type == 44))
        {
            SetTransportChecksum(protocol, h.AsSpan(8, 32), h.AsSpan(40 + chain.Count));
        }

        return h;
    }

    public static byte[] Udp(ushort source, ushort destination, byte[] payload)
    {
        byte[] u = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(u, source);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), destination);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
        payload.CopyTo(u, 8);
        return u;
    }

    public static byte[] Tcp(ushort source, ushort destination) => Tcp(source, destination, 0x18, 1, "hello!"u8.ToArray());

    /// <summary>A TCP segment (20-byte header, no checksum) with these flags, sequence number and payload.</summary>
    public static byte[] Tcp(ushort source, ushort destination, byte flags, uint sequence, byte[] payload)
    {
        byte[] t = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(t, source);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), destination);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), sequence);
        t[12] = 0x50;
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 65535);
        payload.CopyTo(t, 20);
        return t;
    }

    public static byte[] Vxlan(uint vni, byte[] innerFrame, byte flags = 0x08)
    {
        byte[] v = new byte[8 + innerFrame.Length];
        v[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(v.AsSpan(4), vni << 8);
        innerFrame.CopyTo(v, 8);
        return v;
    }

    public static byte[] Geneve(uint vni, ushort protocol, byte[] inner, int optionWords = 0)
    {
        byte[] g = new byte[8 + (4 * optionWords) + inner.Length];
        g[0] = (byte)optionWords;
        BinaryPrimitives.WriteUInt16BigEndian(g.AsSpan(2), protocol);
        BinaryPrimitives.WriteUInt32BigEndian(g.AsSpan(4), vni << 8);
        inner.CopyTo(g, 8 + (4 * optionWords));
        return g;
    }

    /// <summary>GRE version 0 with the optional checksum, key and sequence words.</summary>
    public static byte[] Gre(ushort protocol, byte[] inner, bool checksum = false, uint? key = null, bool sequence = false, ushort extraFlags = 0)
    {
        List<byte> g = [];
        ushort flags = (ushort)((checksum ? 0x8000 : 0) | (key is null ? 0 : 0x2000) | (sequence ? 0x1000 : 0) | extraFlags);
        g.AddRange(Be16(flags));
        g.AddRange(Be16(protocol));
        if (checksum || (extraFlags & 0x4000) != 0)
        {
            g.AddRange(new byte[4]);
        }

        if (key is uint k)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, k);
            g.AddRange(b);
        }

        if (sequence)
        {
            g.AddRange(new byte[] { 0, 0, 0, 9 });
        }

        if ((extraFlags & 0x4000) != 0)
        {
            g.AddRange(new byte[4]); // an empty source route: the terminating entry only
        }

        g.AddRange(inner);
        return [.. g];
    }

    public static byte[] ErspanII(ushort session, byte[] mirrored)
    {
        byte[] e = new byte[8 + mirrored.Length];
        BinaryPrimitives.WriteUInt16BigEndian(e, 0x1000 | 5); // version 1, VLAN 5
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(2), (ushort)(session & 0x3ff));
        mirrored.CopyTo(e, 8);
        return e;
    }

    public static byte[] ErspanIII(ushort session, byte[] mirrored, bool platformHeader)
    {
        int length = platformHeader ? 20 : 12;
        byte[] e = new byte[length + mirrored.Length];
        BinaryPrimitives.WriteUInt16BigEndian(e, 0x2000); // version 2
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(2), (ushort)(session & 0x3ff));
        e[11] = platformHeader ? (byte)1 : (byte)0;
        mirrored.CopyTo(e, length);
        return e;
    }

    private static byte[] Be16(ushort value) => [(byte)(value >> 8), (byte)value];
}
