using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Capture.Abstractions;

namespace Capture.Conformance;

/// <summary>
/// Builds Ethernet frames for the suite: up to three VLAN tags, IPv4 or IPv6, TCP or UDP, with
/// correct IPv4 header and TCP/UDP checksums. Every frame carries a tag in its payload, so no two
/// frames the suite sends are alike.
/// </summary>
public static class FrameBuilder
{
    private static readonly byte[] ClientMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] ServerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    /// <summary>A flow in its own orientation (client first).</summary>
    /// <param name="client">Client address (IPv4 or IPv6 text).</param>
    /// <param name="clientPort">Client port.</param>
    /// <param name="server">Server address, same family.</param>
    /// <param name="serverPort">Server port.</param>
    /// <param name="protocol">6 (TCP) or 17 (UDP); others build an IP packet with a 4-byte port-like header.</param>
    /// <param name="vlans">VLAN ids, outermost first (at most three).</param>
    /// <returns>The flow.</returns>
    public static FlowTuple Flow(string client, ushort clientPort, string server, ushort serverPort, byte protocol, params ushort[] vlans)
    {
        ArgumentNullException.ThrowIfNull(vlans);
        IPAddress clientAddress = IPAddress.Parse(client);
        IPAddress serverAddress = IPAddress.Parse(server);
        if (clientAddress.AddressFamily != serverAddress.AddressFamily)
        {
            throw new ArgumentException("both addresses must be of one family", nameof(server));
        }

        if (vlans.Length > 3)
        {
            throw new ArgumentException("at most three VLAN ids", nameof(vlans));
        }

        return new FlowTuple(
            clientAddress.AddressFamily == AddressFamily.InterNetworkV6,
            FlowAddress.FromBytes(clientAddress.GetAddressBytes()),
            FlowAddress.FromBytes(serverAddress.GetAddressBytes()),
            clientPort,
            serverPort,
            protocol,
            vlans.Length > 0 ? vlans[0] : (ushort)0,
            vlans.Length > 1 ? vlans[1] : (ushort)0,
            vlans.Length > 2 ? vlans[2] : (ushort)0,
            0);
    }

    /// <summary>Builds one frame of a flow.</summary>
    /// <param name="flow">The flow.</param>
    /// <param name="toServer">Client to server (true) or back.</param>
    /// <param name="payloadLength">Payload bytes (at least 4: the tag).</param>
    /// <param name="tag">Written at the start of the payload; makes the frame unique.</param>
    /// <returns>The Ethernet frame.</returns>
    public static byte[] Build(in FlowTuple flow, bool toServer, int payloadLength, int tag)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadLength, 4);
        int vlanCount = flow.Vlan2 != 0 ? 3 : flow.Vlan1 != 0 ? 2 : flow.Vlan0 != 0 ? 1 : 0;
        int ipHeader = flow.IsIPv6 ? 40 : 20;
        int transportHeader = flow.Protocol == 6 ? 20 : 8;
        int ipLength = ipHeader + transportHeader + payloadLength;
        byte[] frame = new byte[14 + (4 * vlanCount) + ipLength];
        Span<byte> span = frame;

        (toServer ? ServerMac : ClientMac).CopyTo(span);
        (toServer ? ClientMac : ServerMac).CopyTo(span[6..]);
        int offset = 12;
        ReadOnlySpan<ushort> vlans = [flow.Vlan0, flow.Vlan1, flow.Vlan2];
        for (int i = 0; i < vlanCount; i++)
        {
            // 802.1ad outer tags, 802.1Q innermost, as switches write QinQ.
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], i < vlanCount - 1 ? (ushort)0x88a8 : (ushort)0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 2)..], (ushort)(vlans[i] & 0x0fff));
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], flow.IsIPv6 ? (ushort)0x86dd : (ushort)0x0800);
        offset += 2;

        FlowAddress source = toServer ? flow.Source : flow.Destination;
        FlowAddress destination = toServer ? flow.Destination : flow.Source;
        ushort sourcePort = toServer ? flow.SourcePort : flow.DestinationPort;
        ushort destinationPort = toServer ? flow.DestinationPort : flow.SourcePort;
        Span<byte> ip = span.Slice(offset, ipLength);
        Span<byte> sourceBytes = stackalloc byte[16];
        Span<byte> destinationBytes = stackalloc byte[16];
        source.CopyTo(sourceBytes);
        destination.CopyTo(destinationBytes);
        if (flow.IsIPv6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(transportHeader + payloadLength));
            ip[6] = flow.Protocol;
            ip[7] = 64;
            sourceBytes.CopyTo(ip[8..]);
            destinationBytes.CopyTo(ip[24..]);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)tag);
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = flow.Protocol;
            sourceBytes[..4].CopyTo(ip[12..]);
            destinationBytes[..4].CopyTo(ip[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum(ip[..20], 0));
        }

        Span<byte> transport = ip[ipHeader..];
        BinaryPrimitives.WriteUInt16BigEndian(transport, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport[2..], destinationPort);
        Span<byte> payload = transport[transportHeader..];
        BinaryPrimitives.WriteInt32BigEndian(payload, tag);
        for (int i = 4; i < payload.Length; i++)
        {
            payload[i] = (byte)(tag + i);
        }

        if (flow.Protocol == 6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(transport[4..], (uint)tag * 1000u);
            BinaryPrimitives.WriteUInt32BigEndian(transport[8..], 1);
            transport[12] = 0x50; // 20-byte header
            transport[13] = 0x18; // PSH, ACK
            BinaryPrimitives.WriteUInt16BigEndian(transport[14..], 65535);
        }
        else if (flow.Protocol == 17)
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[4..], (ushort)(transportHeader + payloadLength));
        }

        if (flow.Protocol is 6 or 17)
        {
            int checksumOffset = flow.Protocol == 6 ? 16 : 6;
            uint pseudo = PseudoHeaderSum(flow.IsIPv6, sourceBytes, destinationBytes, flow.Protocol, transport.Length);
            ushort checksum = InternetChecksum(transport, pseudo);
            if (flow.Protocol == 17 && checksum == 0)
            {
                checksum = 0xffff;
            }

            BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], checksum);
        }

        return frame;
    }

    /// <summary>
    /// A mix of frames: IPv4 and IPv6, TCP and UDP, untagged and with one to three VLAN tags, both
    /// directions of a few dozen flows, sizes from 60 to 1514 bytes; deterministic for a seed.
    /// </summary>
    /// <param name="count">Frames.</param>
    /// <param name="seed">Seed.</param>
    /// <returns>The frames.</returns>
    public static IReadOnlyList<byte[]> MixedTraffic(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            int flowNumber = random.Next(48);
            bool ipv6 = flowNumber % 3 == 0;
            byte protocol = flowNumber % 2 == 0 ? (byte)6 : (byte)17;
            ushort[] vlans = (flowNumber % 4) switch
            {
                1 => [(ushort)(100 + flowNumber)],
                2 => [(ushort)(200 + flowNumber), 7],
                3 when flowNumber % 8 == 3 => [10, 20, 30],
                _ => [],
            };
            FlowTuple flow = ipv6
                ? Flow($"2001:db8::{flowNumber + 1:x}", (ushort)(40000 + flowNumber), "2001:db8:1::80", 443, protocol, vlans)
                : Flow($"10.0.{flowNumber}.1", (ushort)(40000 + flowNumber), "192.0.2.80", 80, protocol, vlans);
            int overhead = 14 + (4 * vlans.Length) + (ipv6 ? 40 : 20) + (protocol == 6 ? 20 : 8);
            int size = random.Next(4) == 0 ? 1514 : random.Next(60, 1515);
            frames.Add(Build(flow, random.Next(2) == 0, Math.Max(4, size - overhead), i));
        }

        return frames;
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/> plus a partial sum.</summary>
    /// <param name="data">The bytes (checksum field zero).</param>
    /// <param name="partialSum">A sum to add (pseudo header).</param>
    /// <returns>The checksum.</returns>
    public static ushort InternetChecksum(ReadOnlySpan<byte> data, uint partialSum)
    {
        ulong sum = partialSum;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static uint PseudoHeaderSum(bool ipv6, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, byte protocol, int length)
    {
        int addressLength = ipv6 ? 16 : 4;
        uint sum = 0;
        for (int i = 0; i < addressLength; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(source[i..]);
            sum += BinaryPrimitives.ReadUInt16BigEndian(destination[i..]);
        }

        return sum + protocol + (uint)length;
    }
}
