using System.Buffers.Binary;
using System.Net;
using Capture.Abstractions;

namespace FlowEngine.Tests.Pipeline;

/// <summary>Builds Ethernet/IPv4/TCP and UDP frames.</summary>
internal static class TestFrames
{
    public static TestFrame Tcp(long timestamp, string src, ushort sp, string dst, ushort dp, byte flags, int payload = 0) =>
        Build(timestamp, src, sp, dst, dp, 6, flags, payload);

    public static TestFrame Udp(long timestamp, string src, ushort sp, string dst, ushort dp, int payload = 0) =>
        Build(timestamp, src, sp, dst, dp, 17, 0, payload);

    private static TestFrame Build(long timestamp, string src, ushort sp, string dst, ushort dp, byte protocol, byte flags, int payload)
    {
        int l4 = protocol == 6 ? 20 : 8;
        byte[] frame = new byte[14 + 20 + l4 + payload];
        Span<byte> f = frame;
        f[0..6].Fill(0x02);
        f[5] = 0x02;
        f[6..12].Fill(0x02);
        f[11] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        Span<byte> ip = f[14..];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4 + payload));
        ip[8] = 64;
        ip[9] = protocol;
        byte[] s = IPAddress.Parse(src).GetAddressBytes();
        byte[] d = IPAddress.Parse(dst).GetAddressBytes();
        s.CopyTo(ip[12..]);
        d.CopyTo(ip[16..]);
        Span<byte> t = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(t, sp);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], dp);
        if (protocol == 6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(t[4..], 1000);
            t[12] = 5 << 4;
            t[13] = flags;
            BinaryPrimitives.WriteUInt16BigEndian(t[14..], 65535);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(t[4..], (ushort)(8 + payload));
        }

        t[l4..].Fill((byte)'x');
        FlowTuple tuple = new(false, FlowAddress.FromBytes(s), FlowAddress.FromBytes(d), sp, dp, protocol, 0, 0, 0, 0);
        return new TestFrame(timestamp, frame, tuple);
    }
}
