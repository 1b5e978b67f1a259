using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;
using PacketDotNet;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// Builds packets for the decoder tests: the headers PacketDotNet writes (Ethernet, IPv4, IPv6, TCP,
/// UDP) through it, the rest (VLAN tags, IPv4 and TCP options, tunnels, malformed headers) byte by
/// byte, composed from the same pieces.
/// </summary>
internal static class TestPackets
{
    public static readonly byte[] MacA = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
    public static readonly byte[] MacB = [0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB];
    public static readonly byte[] V4A = [10, 0, 0, 1];
    public static readonly byte[] V4B = [192, 168, 1, 2];
    public static readonly byte[] V6A = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    public static readonly byte[] V6B = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Be16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] Be32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] Ethernet(ushort type, byte[] payload) =>
        new EthernetPacket(new PhysicalAddress(MacA), new PhysicalAddress(MacB), (EthernetType)type) { PayloadData = payload }.Bytes;

    public static byte[] Vlan(int id, ushort type, byte[] payload) => Cat(Be16(id), Be16(type), payload);

    public static byte[] IPv4(byte protocol, byte[] payload, byte[]? source = null, byte[]? destination = null, ushort id = 1, int flagsAndOffset = 0, byte[]? options = null)
    {
        if (options is { Length: > 0 })
        {
            // PacketDotNet writes no IPv4 options: a header with options is spelled out.
            return IPv4WithOptions(protocol, payload, source ?? V4A, destination ?? V4B, id, flagsAndOffset, options);
        }

        var ip = new IPv4Packet(new IPAddress(source ?? V4A), new IPAddress(destination ?? V4B))
        {
            Protocol = (ProtocolType)protocol,
            TimeToLive = 64,
            Id = id,
            FragmentFlags = flagsAndOffset >> 13,
            FragmentOffset = flagsAndOffset & 0x1FFF,
            PayloadData = payload,
        };
        ip.UpdateCalculatedValues();
        ip.UpdateIPChecksum();
        return ip.Bytes;
    }

    public static byte[] IPv6(byte next, byte[] payload, byte[]? source = null, byte[]? destination = null)
    {
        var ip = new IPv6Packet(new IPAddress(source ?? V6A), new IPAddress(destination ?? V6B))
        {
            NextHeader = (ProtocolType)next,
            HopLimit = 64,
            PayloadData = payload,
        };
        // PacketDotNet leaves the payload length of raw payload data at 0.
        ip.PayloadLength = (ushort)payload.Length;
        return ip.Bytes;
    }

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, byte flags, uint sequence = 1000, uint ack = 0, byte[]? options = null, byte[]? payload = null)
    {
        if (options is { Length: > 0 })
        {
            // Options are the bytes a test means to hand the decoder, valid or not: spelled out.
            int headerLength = 20 + options.Length;
            return Cat(Be16(sourcePort), Be16(destinationPort), Be32(sequence), Be32(ack), [(byte)(headerLength / 4 << 4), flags], Be16(65535), [0, 0, 0, 0], options, payload ?? []);
        }

        return new TcpPacket(sourcePort, destinationPort)
        {
            SequenceNumber = sequence,
            AcknowledgmentNumber = ack,
            Flags = flags,
            WindowSize = 65535,
            PayloadData = payload ?? [],
        }.Bytes;
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        udp.UpdateCalculatedValues();
        return udp.Bytes;
    }

    public static byte[] EthIPv4Tcp(byte flags = 0x02, byte[]? payload = null) =>
        Ethernet(0x0800, IPv4(6, Tcp(40000, 80, flags, payload: payload)));

    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static byte[] IPv4WithOptions(byte protocol, byte[] payload, byte[] source, byte[] destination, ushort id, int flagsAndOffset, byte[] options)
    {
        int headerLength = 20 + options.Length;
        byte[] header = Cat(
            [(byte)(0x40 | headerLength / 4), 0],
            Be16(headerLength + payload.Length),
            Be16(id),
            Be16(flagsAndOffset),
            [64, protocol, 0, 0],
            source,
            destination,
            options);
        ushort checksum = Checksum(header);
        header[10] = (byte)(checksum >> 8);
        header[11] = (byte)checksum;
        return Cat(header, payload);
    }

    public static PacketRecord Record(byte[] data, LinkType linkType = LinkType.Ethernet, long ns = 1_000_000_000) => new()
    {
        TimestampNanoseconds = ns,
        CaptureLength = data.Length,
        OriginalLength = data.Length,
        LinkType = linkType,
    };
}
