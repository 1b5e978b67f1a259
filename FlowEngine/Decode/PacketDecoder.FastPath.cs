using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace FlowEngine.Decode;

/// <summary>
/// The straight-line path for the packet nearly every link carries: Ethernet, at most one VLAN id
/// (the record's or one 802.1Q/802.1ad tag), IPv4 (any header length) or IPv6 without extension
/// headers, not a fragment, TCP or UDP that is not a tunnel port. It only reads until it knows
/// the general walk would decode the packet without any event; then it writes exactly what the
/// walk writes (packet, layer 0, counters). Anything else returns false having written nothing,
/// and the general walk decodes the packet from the start.
/// </summary>
public sealed partial class PacketDecoder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryDecodeFast(ReadOnlySpan<byte> frame, in PacketRecord record, ref DecodedPacket packet)
    {
        // Ethernet (14) + the smallest IPv4 header (20); every later read is checked against the
        // lengths established before it, so no read below leaves the frame.
        int length = frame.Length;
        if (length < 34 || !BitConverter.IsLittleEndian)
        {
            return false;
        }

        ref byte b = ref MemoryMarshal.GetReference(frame);
        int offset = 14;
        int vlans = 0;
        ushort vlan = 0;
        if ((record.Flags & PacketFlags.VlanTciValid) != 0)
        {
            vlans = 1;
            vlan = (ushort)(record.VlanTci & 0x0FFF);
        }

        ushort type = Be16(ref b, 12);
        int linkHeaders = 1;
        if (type is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld)
        {
            if (vlans != 0 || length < 38)
            {
                return false;
            }

            vlans = 1;
            vlan = (ushort)(Be16(ref b, 14) & 0x0FFF);
            type = Be16(ref b, 16);
            offset = 18;
            linkHeaders = 2;
        }

        if (linkHeaders > _options.MaxLinkHeaders)
        {
            return false;
        }

        int available = length - offset;
        int end;
        int transport;
        int ipLength;
        int ipv4HeaderLength = 20;
        byte protocol;
        bool isIPv6;
        if (type == EtherTypeIPv4)
        {
            // available >= 20 here (length >= 34, or >= 38 with a tag).
            byte versionAndLength = Unsafe.Add(ref b, offset);
            ipv4HeaderLength = (versionAndLength & 0x0F) << 2;
            // Options (a longer header) take the full decoder, which validates them.
            if (versionAndLength >> 4 != 4 || ipv4HeaderLength != 20 || ipv4HeaderLength > available)
            {
                return false;
            }

            int total = Be16(ref b, offset + 2);
            if (total == 0)
            {
                total = available;
            }

            if (total < ipv4HeaderLength)
            {
                return false;
            }

            if (total > available)
            {
                if (!IsSnapped(in record))
                {
                    return false;
                }

                end = length;
            }
            else
            {
                end = offset + total;
            }

            if ((Be16(ref b, offset + 6) & 0x3FFF) != 0)
            {
                return false;
            }

            protocol = Unsafe.Add(ref b, offset + 9);
            transport = offset + ipv4HeaderLength;
            ipLength = total;
            isIPv6 = false;
        }
        else if (type == EtherTypeIPv6)
        {
            if (available < 40 || Unsafe.Add(ref b, offset) >> 4 != 6)
            {
                return false;
            }

            int payload = Be16(ref b, offset + 4);
            protocol = Unsafe.Add(ref b, offset + 6);
            if ((protocol != IpProtocol.Tcp && protocol != IpProtocol.Udp) || (payload == 0 && available > 40))
            {
                // Extension headers, other transports, a jumbogram: the general walk.
                return false;
            }

            if (40 + payload > available)
            {
                if (!IsSnapped(in record))
                {
                    return false;
                }

                end = length;
            }
            else
            {
                end = offset + 40 + payload;
            }

            transport = offset + 40;
            ipLength = 40 + payload;
            isIPv6 = true;
        }
        else
        {
            return false;
        }

        int transportAvailable = end - transport;
        int payloadOffset;
        int payloadLength;
        int tcpHeaderLength = 0;
        if (protocol == IpProtocol.Tcp)
        {
            if (transportAvailable < 20)
            {
                return false;
            }

            tcpHeaderLength = (Unsafe.Add(ref b, transport + 12) >> 4) << 2;
            if (tcpHeaderLength < 20 || tcpHeaderLength > transportAvailable)
            {
                return false;
            }

            payloadOffset = transport + tcpHeaderLength;
            payloadLength = transportAvailable - tcpHeaderLength;
        }
        else if (protocol == IpProtocol.Udp)
        {
            if (transportAvailable < 8)
            {
                return false;
            }

            int udpLength = Be16(ref b, transport + 4);
            if (udpLength < 8)
            {
                return false;
            }

            if (udpLength > transportAvailable)
            {
                if (!IsSnapped(in record))
                {
                    return false;
                }

                udpLength = transportAvailable;
            }

            if (udpLength > 8)
            {
                // A datagram on a tunnel port is decoded further by the general walk.
                int destinationPort = Be16(ref b, transport + 2);
                int teredo = _options.TeredoPort;
                if (_options.IsVxlanPort(destinationPort) || (destinationPort != 0 && destinationPort == _options.GenevePort)
                    || (teredo != 0 && (destinationPort == teredo || Be16(ref b, transport) == teredo)))
                {
                    return false;
                }
            }

            payloadOffset = transport + 8;
            payloadLength = udpLength - 8;
        }
        else
        {
            return false;
        }

        // Committed: from here on the writes are those of the general walk for this packet. The
        // counters' base is taken once (through the field it is re-read after every store).
        ref long counters = ref MemoryMarshal.GetArrayDataReference(_c);
        Unsafe.Add(ref counters, (nint)DecoderCounter.Packets)++;
        Unsafe.Add(ref counters, (nint)DecoderCounter.Bytes) += length;
        ref long max = ref Unsafe.Add(ref counters, (nint)DecoderCounter.MaxPacketSize);
        max = Math.Max(max, length);
        Unsafe.Add(ref counters, (nint)DecoderCounter.Ethernet)++;
        if (vlans != 0)
        {
            Unsafe.Add(ref counters, (nint)DecoderCounter.Vlan)++;
        }

        packet.Record = record;
        packet.LayerCount = 1;
        packet.DestinationMac = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref b)) >> 16;
        packet.SourceMac = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 6))) >> 16;
        packet.EtherType = type;
        packet.Result = DecodeResult.Ok;
        packet.EventCount = 0;

        ref PacketLayer layer = ref packet.Layers[0];
        if (isIPv6)
        {
            Unsafe.Add(ref counters, (nint)DecoderCounter.IPv6)++;
            layer.Source = Unsafe.ReadUnaligned<FlowAddress>(ref Unsafe.Add(ref b, offset + 8));
            layer.Destination = Unsafe.ReadUnaligned<FlowAddress>(ref Unsafe.Add(ref b, offset + 24));
        }
        else
        {
            Unsafe.Add(ref counters, (nint)DecoderCounter.IPv4)++;

            // As SetIPv4Address: the 4 address bytes in the low word, zeros above (two 8-byte stores).
            ref ulong source = ref Unsafe.As<FlowAddress, ulong>(ref layer.Source);
            source = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, offset + 12));
            Unsafe.Add(ref source, 1) = 0;
            ref ulong destination = ref Unsafe.As<FlowAddress, ulong>(ref layer.Destination);
            destination = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, offset + 16));
            Unsafe.Add(ref destination, 1) = 0;
        }

        layer.SourcePort = Be16(ref b, transport);
        layer.DestinationPort = Be16(ref b, transport + 2);
        layer.Protocol = protocol;
        layer.IsIPv6 = isIPv6;
        layer.TunnelDepth = 0;
        layer.TunnelKind = TunnelKind.None;
        layer.TunnelId = 0;
        layer.VlanCount = (byte)vlans;
        layer.IcmpType = 0;
        layer.IcmpCode = 0;
        layer.Flags = PacketLayerFlags.HasFlowKey;
        layer.Vlan0 = vlan;
        layer.Vlan1 = 0;
        layer.Vlan2 = 0;
        layer.NetworkOffset = offset;
        layer.TransportOffset = transport;
        layer.PayloadOffset = payloadOffset;
        layer.PayloadLength = payloadLength;
        layer.IPLength = ipLength;

        if (ipv4HeaderLength > 20)
        {
            CheckIPv4Options(frame.Slice(offset + 20, ipv4HeaderLength - 20));
        }

        if (protocol == IpProtocol.Tcp)
        {
            byte flags = Unsafe.Add(ref b, transport + 13);
            layer.TcpFlags = flags;
            layer.TcpSequence = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, transport + 4)));
            layer.TcpAcknowledgement = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, transport + 8)));
            Unsafe.Add(ref counters, (nint)DecoderCounter.Tcp)++;
            if ((flags & TcpFlags.Syn) != 0)
            {
                Unsafe.Add(ref counters, (nint)((flags & TcpFlags.Ack) != 0 ? DecoderCounter.TcpSynAck : DecoderCounter.TcpSyn))++;
            }
            else if ((flags & 0x04) != 0)
            {
                Unsafe.Add(ref counters, (nint)DecoderCounter.TcpRst)++;
            }

            // NOP, NOP, timestamps is valid as is (see DecodeTcp); anything else is walked.
            if (tcpHeaderLength > 20
                && !(tcpHeaderLength == 32 && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, transport + 20)) == 0x0A080101))
            {
                CheckTcpOptions(frame.Slice(transport + 20, tcpHeaderLength - 20), ref packet);
            }
        }
        else
        {
            layer.TcpFlags = 0;
            layer.TcpSequence = 0;
            layer.TcpAcknowledgement = 0;
            Unsafe.Add(ref counters, (nint)DecoderCounter.Udp)++;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSnapped(in PacketRecord record) =>
        (record.Flags & PacketFlags.Truncated) != 0 || record.CaptureLength < record.OriginalLength;

    /// <summary>A big-endian 16-bit field; the caller has checked that both bytes are in the frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort Be16(ref byte data, int offset) =>
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref data, (nint)(uint)offset)));
}
