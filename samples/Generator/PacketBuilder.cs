using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Samples.Generator;

/// <summary>Builds IPv4/IPv6 packets with TCP, UDP, ICMP and ICMPv6, with correct checksums.</summary>
internal static class PacketBuilder
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Icmp = 1;
    public const byte Icmpv6 = 58;

    public static byte[] IP(IPAddress source, IPAddress destination, byte protocol, ushort id, byte[] transport) =>
        source.AddressFamily == AddressFamily.InterNetworkV6
            ? IPv6(source, destination, protocol, transport)
            : IPv4(source, destination, protocol, id, transport);

    public static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, ushort id, byte[] transport)
    {
        byte[] packet = new byte[20 + transport.Length];
        Span<byte> h = packet;
        h[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], id);
        h[6] = 0x40; // don't fragment
        h[8] = 64;
        h[9] = protocol;
        source.TryWriteBytes(h[12..16], out _);
        destination.TryWriteBytes(h[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], Checksum.Finish(Checksum.Add(0, h[..20])));
        transport.CopyTo(packet, 20);
        FillTransportChecksum(packet.AsSpan(20), protocol, h[12..16], h[16..20]);
        return packet;
    }

    public static byte[] IPv6(IPAddress source, IPAddress destination, byte protocol, byte[] transport)
    {
        byte[] packet = new byte[40 + transport.Length];
        Span<byte> h = packet;
        h[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], (ushort)transport.Length);
        h[6] = protocol;
        h[7] = 64;
        source.TryWriteBytes(h[8..24], out _);
        destination.TryWriteBytes(h[24..40], out _);
        transport.CopyTo(packet, 40);
        FillTransportChecksum(packet.AsSpan(40), protocol, h[8..24], h[24..40]);
        return packet;
    }

    public static byte[] TcpSegment(ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgement, byte flags, ReadOnlySpan<byte> payload)
    {
        byte[] segment = new byte[20 + payload.Length];
        Span<byte> h = segment;
        BinaryPrimitives.WriteUInt16BigEndian(h, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(h[8..], acknowledgement);
        h[12] = 5 << 4;
        h[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(h[14..], 64240);
        payload.CopyTo(h[20..]);
        return segment;
    }

    public static byte[] UdpDatagram(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        byte[] datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram.AsSpan(8));
        return datagram;
    }

    /// <summary>ICMP or ICMPv6 message: type, code, 4 bytes of rest-of-header, body.</summary>
    public static byte[] IcmpMessage(byte type, byte code, uint restOfHeader, ReadOnlySpan<byte> body)
    {
        byte[] message = new byte[8 + body.Length];
        message[0] = type;
        message[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), restOfHeader);
        body.CopyTo(message.AsSpan(8));
        return message;
    }

    private static void FillTransportChecksum(Span<byte> transport, byte protocol, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        int checksumOffset = protocol switch
        {
            Tcp => 16,
            Udp => 6,
            Icmp or Icmpv6 => 2,
            _ => -1,
        };
        if (checksumOffset < 0)
        {
            return;
        }

        uint sum = 0;
        if (protocol != Icmp)
        {
            // Pseudo header: addresses, protocol, length (ICMPv4 has none).
            sum = Checksum.Add(sum, source);
            sum = Checksum.Add(sum, destination);
            sum += protocol;
            sum += (uint)transport.Length;
        }

        sum = Checksum.Add(sum, transport);
        ushort value = Checksum.Finish(sum);
        if (protocol == Udp && value == 0)
        {
            value = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], value);
    }
}
