using System.Buffers.Binary;
using System.Net;

namespace Capture.Ebpf.Tests;

/// <summary>Frames built byte by byte for the parser cases: Ethernet, VLAN, IPv4 (options, fragments), IPv6 (extension headers), TCP/UDP and the tunnels.</summary>
internal static class TunnelFrames
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Ipv6 = 0x86dd;
    public const ushort Bridging = 0x6558;

    public static byte[] Ethernet(ushort etherType, byte[] payload, params ushort[] vlans)
    {
        List<byte> f = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
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
        return h;
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

    public static byte[] Tcp(ushort source, ushort destination)
    {
        byte[] t = new byte[20 + 6];
        BinaryPrimitives.WriteUInt16BigEndian(t, source);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), destination);
        t[12] = 0x50;
        t[13] = 0x18;
        "hello!"u8.CopyTo(t.AsSpan(20));
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
