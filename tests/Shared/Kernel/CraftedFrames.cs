// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: building Ethernet frames (IPv4, IPv6, TCP, UDP with
// correct checksums) through PacketDotNet, and the 802.1Q/802.1ad tags and IPv4 options it cannot write.
using System.Buffers.Binary;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PacketDotNet;

namespace Capture.Tests.Kernel;

/// <summary>Builds complete Ethernet frames from a <see cref="FrameSpec"/>.</summary>
public static class CraftedFrames
{
    /// <summary>Builds the frame.</summary>
    /// <param name="spec">What to build.</param>
    /// <param name="payloadByte">The payload fill byte (to tell frames apart).</param>
    /// <returns>The frame bytes.</returns>
    public static byte[] Build(FrameSpec spec, byte payloadByte = 0x5a)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool v6 = spec.Source.AddressFamily == AddressFamily.InterNetworkV6;
        if (spec.IPv4OptionBytes % 4 != 0 || spec.IPv4OptionBytes > 40 || (v6 && spec.IPv4OptionBytes != 0))
        {
            throw new ArgumentException("IPv4 options: a multiple of 4 bytes up to 40, IPv4 only", nameof(spec));
        }

        byte[] payload = new byte[spec.PayloadLength];
        Array.Fill(payload, payloadByte);
        IPPacket ip = v6
            ? new IPv6Packet(spec.Source, spec.Destination) { NextHeader = (PacketDotNet.ProtocolType)spec.Protocol, HopLimit = 64 }
            : new IPv4Packet(spec.Source, spec.Destination) { Protocol = (PacketDotNet.ProtocolType)spec.Protocol, TimeToLive = 64, Id = 0x1234 };
        switch (spec.Protocol)
        {
            case 6:
                var tcp = new TcpPacket(spec.SourcePort, spec.DestinationPort)
                {
                    SequenceNumber = 1000,
                    AcknowledgmentNumber = 2000,
                    Flags = spec.TcpFlags,
                    WindowSize = 65535,
                    PayloadData = payload,
                };
                ip.PayloadPacket = tcp;
                ip.UpdateCalculatedValues();
                tcp.UpdateTcpChecksum();
                break;
            case 17:
                var udp = new UdpPacket(spec.SourcePort, spec.DestinationPort) { PayloadData = payload };
                ip.PayloadPacket = udp;
                ip.UpdateCalculatedValues();
                udp.UpdateCalculatedValues();
                udp.UpdateUdpChecksum();
                break;
            default:
                ip.PayloadData = payload;
                break;
        }

        if (ip is IPv6Packet ipv6)
        {
            ipv6.PayloadLength = (ushort)(ipv6.Bytes.Length - 40);
        }
        else
        {
            ip.UpdateCalculatedValues();
            ((IPv4Packet)ip).UpdateIPChecksum();
        }

        byte[] network = spec.IPv4OptionBytes > 0 ? WithIPv4Options(ip.Bytes, spec.IPv4OptionBytes) : ip.Bytes;
        var ethernet = new EthernetPacket(new PhysicalAddress(spec.SourceMac), new PhysicalAddress(spec.DestinationMac), v6 ? EthernetType.IPv6 : EthernetType.IPv4)
        {
            PayloadData = network,
        };
        return WithVlanTags(ethernet.Bytes, spec.Vlans);
    }

    /// <summary>PacketDotNet writes no 802.1Q/802.1ad tags: they are put in after the MAC addresses.</summary>
    private static byte[] WithVlanTags(byte[] frame, IReadOnlyList<VlanTag> tags)
    {
        byte[] tagged = new byte[frame.Length + (4 * tags.Count)];
        frame.AsSpan(0, 12).CopyTo(tagged);
        int offset = 12;
        foreach (VlanTag tag in tags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(offset), tag.Tpid);
            BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(offset + 2), tag.Tci);
            offset += 4;
        }

        frame.AsSpan(12).CopyTo(tagged.AsSpan(offset));
        return tagged;
    }

    /// <summary>
    /// PacketDotNet writes no IPv4 options: NOPs ending with EOL are put in after the fixed header,
    /// and the header's length, total length and checksum set again (the transport checksum does
    /// not cover the IP header).
    /// </summary>
    private static byte[] WithIPv4Options(byte[] packet, int optionBytes)
    {
        byte[] ip = new byte[packet.Length + optionBytes];
        packet.AsSpan(0, 20).CopyTo(ip);
        for (int i = 0; i < optionBytes; i++)
        {
            ip[20 + i] = i == optionBytes - 1 ? (byte)0 : (byte)1; // NOP ... EOL
        }

        packet.AsSpan(20).CopyTo(ip.AsSpan(20 + optionBytes));
        int headerLength = 20 + optionBytes;
        ip[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, headerLength), 0));
        return ip;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        return sum;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        uint sum = initial + Sum(data);
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
