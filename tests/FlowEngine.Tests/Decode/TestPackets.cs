using System.Buffers.Binary;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Defrag;

namespace FlowEngine.Tests.Decode;

/// <summary>Builds packets byte by byte for the decoder tests.</summary>
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

    public static byte[] Ethernet(ushort type, byte[] payload) => Cat(MacB, MacA, Be16(type), payload);

    public static byte[] Vlan(int id, ushort type, byte[] payload) => Cat(Be16(id), Be16(type), payload);

    public static byte[] IPv4(byte protocol, byte[] payload, byte[]? source = null, byte[]? destination = null, ushort id = 1, int flagsAndOffset = 0, byte[]? options = null)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        byte[] header = Cat(
            [(byte)(0x40 | headerLength / 4), 0],
            Be16(headerLength + payload.Length),
            Be16(id),
            Be16(flagsAndOffset),
            [64, protocol, 0, 0],
            source ?? V4A,
            destination ?? V4B,
            options);
        ushort checksum = Checksum(header);
        header[10] = (byte)(checksum >> 8);
        header[11] = (byte)checksum;
        return Cat(header, payload);
    }

    public static byte[] IPv6(byte next, byte[] payload, byte[]? source = null, byte[]? destination = null) =>
        Cat([0x60, 0, 0, 0], Be16(payload.Length), [next, 64], source ?? V6A, destination ?? V6B, payload);

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, byte flags, uint sequence = 1000, uint ack = 0, byte[]? options = null, byte[]? payload = null)
    {
        options ??= [];
        payload ??= [];
        int headerLength = 20 + options.Length;
        return Cat(Be16(sourcePort), Be16(destinationPort), Be32(sequence), Be32(ack), [(byte)(headerLength / 4 << 4), flags], Be16(65535), [0, 0, 0, 0], options, payload);
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[] payload) =>
        Cat(Be16(sourcePort), Be16(destinationPort), Be16(8 + payload.Length), [0, 0], payload);

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

    public static PacketRecord Record(byte[] data, LinkType linkType = LinkType.Ethernet, long ns = 1_000_000_000) => new()
    {
        TimestampNanoseconds = ns,
        CaptureLength = data.Length,
        OriginalLength = data.Length,
        LinkType = linkType,
    };
}
