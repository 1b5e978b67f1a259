using System.Runtime.CompilerServices;
using Capture.Abstractions;
using FlowEngine.Defrag;

namespace FlowEngine.Decode;

/// <summary>IPv4, IPv6 and its extension headers, and the dispatch to transports and tunnels.</summary>
public sealed partial class PacketDecoder
{
    private void DecodeIPv4(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 20)
        {
            Fail(ref ctx, DecoderCounter.IPv4PktTooSmall, DecodeResult.Truncated);
            return;
        }

        byte versionAndLength = d[offset];
        if (versionAndLength >> 4 != 4)
        {
            Fail(ref ctx, DecoderCounter.IPv4WrongIpVersion, DecodeResult.BadVersion);
            return;
        }

        int headerLength = (versionAndLength & 0x0F) << 2;
        if (headerLength < 20)
        {
            Fail(ref ctx, DecoderCounter.IPv4HlenTooSmall, DecodeResult.InvalidLength);
            return;
        }

        if (headerLength > available)
        {
            Fail(ref ctx, DecoderCounter.IPv4TruncPkt, DecodeResult.Truncated);
            return;
        }

        int totalLength = U16(d, offset + 2);
        if (totalLength == 0)
        {
            // Segmentation offload (TSO/GRO, Linux BIG TCP) leaves the length 0: the capture is the truth.
            totalLength = available;
        }

        if (totalLength < headerLength)
        {
            Fail(ref ctx, DecoderCounter.IPv4IplenSmallerThanHlen, DecodeResult.InvalidLength);
            return;
        }

        if (totalLength > available)
        {
            if (!ctx.Snapped)
            {
                Fail(ref ctx, DecoderCounter.IPv4TruncPkt, DecodeResult.Truncated);
                return;
            }
        }
        else
        {
            // Drops link-layer padding (Ethernet minimum frame size).
            ctx.End = offset + totalLength;
        }

        Count(DecoderCounter.IPv4);
        if (headerLength > 20 && !CheckIPv4Options(d.Slice(offset + 20, headerLength - 20)))
        {
            Fail(ref ctx, DecoderCounter.IPv4OptInvalidLen, DecodeResult.InvalidLength);
            return;
        }

        if (!TryAddLayer(ref ctx, out int index))
        {
            return;
        }

        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        SetIPv4Address(ref layer.Source, d, offset + 12);
        SetIPv4Address(ref layer.Destination, d, offset + 16);
        layer.Protocol = d[offset + 9];
        layer.NetworkOffset = offset;
        layer.IPLength = totalLength;

        if ((U16(d, offset + 6) & 0x3FFF) != 0)
        {
            // More-fragments or a fragment offset: ports are elsewhere until reassembled.
            layer.Flags |= PacketLayerFlags.Fragment;
            if (_defragmenter is null || ctx.Reassembled)
            {
                return;
            }

            DefragOutcome outcome = _defragmenter.InsertIPv4(d, offset, headerLength, ctx.End, in layer, ctx.Now, out ReadOnlySpan<byte> whole);
            if (outcome == DefragOutcome.Held)
            {
                ctx.Packet.Result = ctx.Packet.Result == DecodeResult.Ok ? DecodeResult.FragmentHeld : ctx.Packet.Result;
                return;
            }

            if (outcome != DefragOutcome.Reassembled)
            {
                return;
            }

            ctx.Data = d = whole;
            ctx.Reassembled = true;
            headerLength = (d[offset] & 0x0F) << 2;
            totalLength = U16(d, offset + 2);
            ctx.End = offset + totalLength;
            layer.IPLength = totalLength;
            layer.Flags = (layer.Flags & ~PacketLayerFlags.Fragment) | PacketLayerFlags.Reassembled;
        }

        DecodeIPPayload(ref ctx, index, layer.Protocol, offset + headerLength, isIPv6: false);
    }

    /// <summary>
    /// Validates IPv4 options as Suricata's decoder does: options not padded to 8 bytes, unknown
    /// kinds, duplicates and kind-specific length or layout errors raise events and decoding goes on
    /// (the length and layout errors count the packet in <c>decoder.invalid</c>); an option whose
    /// length is below 2 or runs past the header fails the packet.
    /// </summary>
    /// <returns>False when the packet cannot be decoded further.</returns>
    private bool CheckIPv4Options(ReadOnlySpan<byte> options)
    {
        if (options.Length % 8 != 0)
        {
            Count(DecoderCounter.IPv4OptPadRequired);
        }

        int seen = 0;
        int at = 0;
        while (at < options.Length)
        {
            byte kind = options[at];
            if (kind == 0)
            {
                break;
            }

            if (kind == 1)
            {
                at++;
                continue;
            }

            int left = options.Length - at;
            if (left < 2)
            {
                Count(DecoderCounter.IPv4OptEolRequired);
                break;
            }

            int length = options[at + 1];
            if (length > left || length < 2)
            {
                // Counted by the caller, which fails the packet.
                return false;
            }

            int bit = Ipv4OptionBit(kind);
            if (bit < 0)
            {
                Count(DecoderCounter.IPv4OptInvalid);
            }
            else if ((seen & bit) != 0)
            {
                Count(DecoderCounter.IPv4OptDuplicate);
            }
            else if (Ipv4OptionFault(kind, options.Slice(at, length)) is DecoderCounter fault)
            {
                Count(fault);
                _invalid = true;
            }
            else
            {
                seen |= bit;
            }

            at += length;
        }

        return true;
    }

    /// <summary>The options Suricata validates, one bit each; -1 for any other kind.</summary>
    private static int Ipv4OptionBit(byte kind) => kind switch
    {
        68 => 1 << 0, // timestamp
        7 => 1 << 1, // record route
        25 => 1 << 2, // quick start
        130 => 1 << 3, // security
        131 => 1 << 4, // loose source route
        134 => 1 << 5, // CIPSO
        136 => 1 << 6, // stream id
        137 => 1 << 7, // strict source route
        148 => 1 << 8, // router alert
        _ => -1,
    };

    /// <summary>A known option's length or layout error (RFC 791, 781, 1108, 2113, 4782, CIPSO draft), or null.</summary>
    private static DecoderCounter? Ipv4OptionFault(byte kind, ReadOnlySpan<byte> option)
    {
        int length = option.Length;
        switch (kind)
        {
            case 25:
                return length < 8 ? DecoderCounter.IPv4OptInvalidLen : null;
            case 130:
                return length != 11 ? DecoderCounter.IPv4OptInvalidLen : null;
            case 136 or 148:
                return length != 4 ? DecoderCounter.IPv4OptInvalidLen : null;
            case 7 or 131 or 137:
                if (length < 3)
                {
                    return DecoderCounter.IPv4OptInvalidLen;
                }

                int pointer = option.Length > 2 ? option[2] : 0;
                return pointer < 4 || pointer % 4 != 0 || pointer > length + 1 ? DecoderCounter.IPv4OptMalformed : null;
            case 68:
                if (length < 5)
                {
                    return DecoderCounter.IPv4OptInvalidLen;
                }

                int tsPointer = option[2];
                if (tsPointer < 5)
                {
                    return DecoderCounter.IPv4OptMalformed;
                }

                int flag = option[3] & 0x0F;
                int record = flag is 1 or 3 ? 8 : 4;
                return (tsPointer - 5) % record != 0 || tsPointer > length + 1 ? DecoderCounter.IPv4OptMalformed : null;
            case 134:
                return CipsoFault(option);
            default:
                return null;
        }
    }

    /// <summary>CIPSO: a 4-byte domain of interpretation, then tags of kind, length and data.</summary>
    private static DecoderCounter? CipsoFault(ReadOnlySpan<byte> option)
    {
        if (option.Length < 10)
        {
            return DecoderCounter.IPv4OptInvalidLen;
        }

        ReadOnlySpan<byte> tags = option[6..];
        while (!tags.IsEmpty)
        {
            if (tags.Length < 2)
            {
                return DecoderCounter.IPv4OptMalformed;
            }

            byte type = tags[0];
            int tagLength = tags[1];
            if (tagLength > tags.Length || type is not (1 or 2 or 5 or 6 or 7) || tagLength < 4 || (type != 7 && tags[2] != 0))
            {
                return DecoderCounter.IPv4OptMalformed;
            }

            tags = tags[tagLength..];
        }

        return null;
    }

    private void DecodeIPv6(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        if (available < 40)
        {
            Fail(ref ctx, DecoderCounter.IPv6PktTooSmall, DecodeResult.Truncated);
            return;
        }

        if (d[offset] >> 4 != 6)
        {
            Fail(ref ctx, DecoderCounter.IPv6WrongIpVersion, DecodeResult.BadVersion);
            return;
        }

        int payloadLength = U16(d, offset + 4);
        byte next = d[offset + 6];
        if (payloadLength == 0 && available > 40 && next != 59)
        {
            // A zero payload length is legal only for a jumbogram, announced by a hop-by-hop option.
            int jumbo = next == 0 ? JumboPayloadLength(d, offset + 40, ctx.End) : -1;
            if (jumbo < 0)
            {
                Fail(ref ctx, DecoderCounter.IPv6JumboWithoutOption, DecodeResult.InvalidLength);
                return;
            }

            payloadLength = Math.Min(jumbo, available - 40);
        }

        if (40 + payloadLength > available)
        {
            if (!ctx.Snapped)
            {
                Fail(ref ctx, DecoderCounter.IPv6TruncPkt, DecodeResult.Truncated);
                return;
            }
        }
        else
        {
            ctx.End = offset + 40 + payloadLength;
        }

        Count(DecoderCounter.IPv6);
        if (!TryAddLayer(ref ctx, out int index))
        {
            return;
        }

        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        layer.IsIPv6 = true;
        layer.Source = IPv6Address(d, offset + 8);
        layer.Destination = IPv6Address(d, offset + 24);
        layer.NetworkOffset = offset;
        layer.IPLength = 40 + payloadLength;
        layer.Protocol = next;
        if (next is IpProtocol.Tcp or IpProtocol.Udp)
        {
            // The common case: no extension headers.
            DecodeIPPayload(ref ctx, index, next, offset + 40, isIPv6: true);
            return;
        }

        DecodeIPv6Extensions(ref ctx, index, offset, next);
    }

    private void DecodeIPv6Extensions(ref DecodeContext ctx, int index, int offset, byte next)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        int p = offset + 40;
        int nextFieldOffset = offset + 6;
        int seen = 0;
        const int SeenHop = 1, SeenRouting = 2, SeenFragment = 4, SeenDestination = 8, SeenAuth = 16;
        while (true)
        {
            layer.Protocol = next;
            switch (next)
            {
                case IpProtocol.HopByHop or IpProtocol.Routing or IpProtocol.DestinationOptions or IpProtocol.Mobility or IpProtocol.Hip or IpProtocol.Shim6:
                {
                    // Hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8 bytes.
                    if (ctx.End - p < 8)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6TruncExthdr, DecodeResult.Truncated);
                        return;
                    }

                    int length = (d[p + 1] + 1) << 3;
                    if (length > ctx.End - p)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6TruncExthdr, DecodeResult.Truncated);
                        return;
                    }

                    if (next == IpProtocol.HopByHop)
                    {
                        if ((seen & SeenHop) != 0 || p != offset + 40)
                        {
                            Count(DecoderCounter.IPv6ExthdrDuplHh);
                        }

                        seen |= SeenHop;
                        CheckIPv6Options(d.Slice(p + 2, length - 2));
                    }
                    else if (next == IpProtocol.DestinationOptions)
                    {
                        if ((seen & SeenDestination) != 0 && (seen & SeenRouting) == 0)
                        {
                            Count(DecoderCounter.IPv6ExthdrDuplDh);
                        }

                        seen |= SeenDestination;
                        CheckIPv6Options(d.Slice(p + 2, length - 2));
                    }
                    else if (next == IpProtocol.Routing)
                    {
                        if ((seen & SeenRouting) != 0)
                        {
                            Count(DecoderCounter.IPv6ExthdrDuplRh);
                        }

                        seen |= SeenRouting;
                        if (d[p + 2] == 0)
                        {
                            Count(DecoderCounter.IPv6RhType0);
                        }
                    }

                    nextFieldOffset = p;
                    next = d[p];
                    p += length;
                    continue;
                }

                case IpProtocol.Ah:
                {
                    // Authentication header: (len + 2) * 4 bytes.
                    if (ctx.End - p < 12)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6TruncExthdr, DecodeResult.Truncated);
                        return;
                    }

                    int length = (d[p + 1] + 2) << 2;
                    if (length > ctx.End - p)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6TruncExthdr, DecodeResult.Truncated);
                        return;
                    }

                    if ((seen & SeenAuth) != 0)
                    {
                        Count(DecoderCounter.IPv6ExthdrDuplAh);
                    }

                    if (U16(d, p + 2) != 0)
                    {
                        Count(DecoderCounter.IPv6ExthdrAhResNotNull);
                    }

                    seen |= SeenAuth;
                    nextFieldOffset = p;
                    next = d[p];
                    p += length;
                    continue;
                }

                case IpProtocol.Fragment:
                {
                    if (ctx.End - p < 8)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6TruncExthdr, DecodeResult.Truncated);
                        return;
                    }

                    if ((seen & SeenFragment) != 0)
                    {
                        Fail(ref ctx, DecoderCounter.IPv6ExthdrDuplFh, DecodeResult.Malformed);
                        return;
                    }

                    seen |= SeenFragment;
                    if (d[p + 1] != 0)
                    {
                        Count(DecoderCounter.IPv6FhNonZeroReservedField);
                    }

                    int offsetAndFlags = U16(d, p + 2);
                    if ((offsetAndFlags & 0xFFF9) == 0)
                    {
                        // An atomic fragment (offset 0, no more fragments): decode on.
                        Count(DecoderCounter.IPv6ExthdrUselessFh);
                        nextFieldOffset = p;
                        next = d[p];
                        p += 8;
                        continue;
                    }

                    layer.Protocol = d[p];
                    layer.Flags |= PacketLayerFlags.Fragment;
                    if (_defragmenter is null || ctx.Reassembled)
                    {
                        return;
                    }

                    DefragOutcome outcome = _defragmenter.InsertIPv6(d, offset, p, nextFieldOffset, ctx.End, in layer, ctx.Now, out ReadOnlySpan<byte> whole);
                    if (outcome == DefragOutcome.Held)
                    {
                        ctx.Packet.Result = ctx.Packet.Result == DecodeResult.Ok ? DecodeResult.FragmentHeld : ctx.Packet.Result;
                        return;
                    }

                    if (outcome != DefragOutcome.Reassembled)
                    {
                        return;
                    }

                    // The reassembled datagram has no fragment header: its data starts where the header was.
                    ctx.Data = d = whole;
                    ctx.Reassembled = true;
                    int payloadLength = U16(d, offset + 4);
                    ctx.End = offset + 40 + payloadLength;
                    layer.IPLength = 40 + payloadLength;
                    layer.Flags = (layer.Flags & ~PacketLayerFlags.Fragment) | PacketLayerFlags.Reassembled;
                    next = d[nextFieldOffset];
                    continue;
                }

                case IpProtocol.NoNextHeader:
                    if (p < ctx.End)
                    {
                        Count(DecoderCounter.IPv6DataAfterNoneHeader);
                    }

                    layer.Flags |= PacketLayerFlags.HasFlowKey;
                    return;
                default:
                    DecodeIPPayload(ref ctx, index, next, p, isIPv6: true);
                    return;
            }
        }
    }

    private void CheckIPv6Options(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            if (options[i] == 0)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length || i + 2 + options[i + 1] > options.Length)
            {
                Count(DecoderCounter.IPv6ExthdrInvalidOptlen);
                return;
            }

            i += 2 + options[i + 1];
        }
    }

    /// <summary>
    /// The jumbo payload length from a hop-by-hop header at <paramref name="p"/>, or -1 without a
    /// valid option: RFC 2675 makes a Jumbo Payload Length of 65,535 or less an error, since such a
    /// packet needs no jumbogram.
    /// </summary>
    private static int JumboPayloadLength(ReadOnlySpan<byte> d, int p, int end)
    {
        if (end - p < 8)
        {
            return -1;
        }

        int hopEnd = p + ((d[p + 1] + 1) << 3);
        if (hopEnd > end)
        {
            return -1;
        }

        for (int i = p + 2; i < hopEnd;)
        {
            byte type = d[i];
            if (type == 0)
            {
                i++;
                continue;
            }

            if (i + 1 >= hopEnd)
            {
                return -1;
            }

            int length = d[i + 1];
            if (type == 0xC2 && length == 4 && i + 6 <= hopEnd)
            {
                uint jumbo = U32(d, i + 2);
                return jumbo <= ushort.MaxValue ? -1 : jumbo > int.MaxValue ? int.MaxValue : (int)jumbo;
            }

            i += 2 + length;
        }

        return -1;
    }

    private void DecodeIPPayload(ref DecodeContext ctx, int index, byte protocol, int offset, bool isIPv6)
    {
        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        layer.Protocol = protocol;
        layer.TransportOffset = offset;
        switch (protocol)
        {
            case IpProtocol.Tcp:
                DecodeTcp(ref ctx, index, offset);
                return;
            case IpProtocol.Udp:
                DecodeUdp(ref ctx, index, offset);
                return;
            case IpProtocol.Icmp:
                if (isIPv6)
                {
                    Count(DecoderCounter.IPv6WithIcmpv4);
                }

                DecodeIcmpv4(ref ctx, index, offset);
                return;
            case IpProtocol.Icmpv6:
                if (!isIPv6)
                {
                    Count(DecoderCounter.IPv4WithIcmpv6);
                }

                DecodeIcmpv6(ref ctx, index, offset);
                return;
            case IpProtocol.Sctp:
                DecodeSctp(ref ctx, index, offset);
                return;
            case IpProtocol.Igmp when !isIPv6:
                DecodeIgmp(ref ctx, index, offset);
                return;
            case IpProtocol.Esp:
                DecodeEsp(ref ctx, index, offset);
                return;
            case IpProtocol.Ah when !isIPv6:
                DecodeIPv4Auth(ref ctx, index, offset);
                return;
            case IpProtocol.Gre:
                layer.Flags |= PacketLayerFlags.HasFlowKey;
                layer.PayloadOffset = offset;
                layer.PayloadLength = Math.Max(0, ctx.End - offset);
                if (_options.DecodeTunnels)
                {
                    DecodeGre(ref ctx, index, offset);
                    if (ctx.Packet.LayerCount > index + 1)
                    {
                        // As Suricata: a GRE packet keys no flow of its own, the packet inside it does.
                        ctx.Packet.Layers[index].Flags &= ~PacketLayerFlags.HasFlowKey;
                    }
                }

                return;
            case IpProtocol.IPv4:
                layer.Flags |= PacketLayerFlags.HasFlowKey;
                if (_options.DecodeTunnels)
                {
                    DecodeIPInIP(ref ctx, offset, innerIsIPv6: false, outerIsIPv6: isIPv6);
                }

                return;
            case IpProtocol.IPv6:
                layer.Flags |= PacketLayerFlags.HasFlowKey;
                if (_options.DecodeTunnels)
                {
                    DecodeIPInIP(ref ctx, offset, innerIsIPv6: true, outerIsIPv6: isIPv6);
                }

                return;
            case IpProtocol.Ethernet:
                // IPPROTO_ETHERNET (segment routing's Ethernet payload): an Ethernet frame inside IP.
                layer.Flags |= PacketLayerFlags.HasFlowKey;
                if (_options.DecodeTunnels)
                {
                    DecodeEthernet(ref ctx, offset);
                }

                return;
            default:
                // Other protocols key flows by addresses and protocol alone.
                layer.Flags |= PacketLayerFlags.HasFlowKey;
                layer.PayloadOffset = offset;
                layer.PayloadLength = Math.Max(0, ctx.End - offset);
                return;
        }
    }

    /// <summary>IGMP (v1, v2, v3 and RGMP), as Suricata checks it: the 8-byte header, an IGMPv3 query's 12, an IGMPv3 report's group records.</summary>
    private void DecodeIgmp(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        int available = ctx.End - offset;
        Count(DecoderCounter.Igmp);
        if (available < 8)
        {
            Fail(ref ctx, DecoderCounter.IgmpPktTooSmall, DecodeResult.Truncated);
            return;
        }

        byte type = d[offset];
        if (type == 0x11 && available is > 8 and < 12)
        {
            Fail(ref ctx, DecoderCounter.IgmpV3PktTooSmall, DecodeResult.Truncated);
            return;
        }

        if (type == 0x22 && !GroupRecordsFit(d.Slice(offset, available)))
        {
            Fail(ref ctx, DecoderCounter.IgmpMalformed, DecodeResult.Malformed);
            return;
        }

        // No flow: Suricata's IGMP decoder sets up none.
        ref PacketLayer layer = ref ctx.Packet.Layers[index];
        layer.PayloadOffset = offset + 8;
        layer.PayloadLength = available - 8;
    }

    /// <summary>Whether an IGMPv3 report's group records (8 bytes, the sources, the auxiliary data each) fit in it.</summary>
    private static bool GroupRecordsFit(ReadOnlySpan<byte> report)
    {
        int records = U16(report, 6);
        int at = 8;
        for (int i = 0; i < records; i++)
        {
            if (at + 8 > report.Length)
            {
                return false;
            }

            at += 8 + (report[at + 1] * 4) + (U16(report, at + 2) * 4);
        }

        return at <= report.Length;
    }

    private void DecodeIPv4Auth(ref DecodeContext ctx, int index, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 12)
        {
            Fail(ref ctx, DecoderCounter.IPv4TruncPkt, DecodeResult.Truncated);
            return;
        }

        int length = (d[offset + 1] + 2) << 2;
        if (length > ctx.End - offset)
        {
            Fail(ref ctx, DecoderCounter.IPv4TruncPkt, DecodeResult.Truncated);
            return;
        }

        byte next = d[offset];
        if (next == IpProtocol.Ah)
        {
            // AH after AH: keep the layer keyed by protocol rather than walking a chain.
            ctx.Packet.Layers[index].Flags |= PacketLayerFlags.HasFlowKey;
            return;
        }

        DecodeIPPayload(ref ctx, index, next, offset + length, isIPv6: false);
    }

    private void DecodeIPInIP(ref DecodeContext ctx, int offset, bool innerIsIPv6, bool outerIsIPv6)
    {
        if (outerIsIPv6)
        {
            // The four pairings differ only in the inner header's size, version and counters.
            (int minimum, int version, DecoderCounter tooSmall, DecoderCounter wrongVersion, DecoderCounter decoded) = innerIsIPv6
                ? (40, 6, DecoderCounter.IPv6InIPv6TooSmall, DecoderCounter.IPv6InIPv6WrongVersion, DecoderCounter.IPv6InIPv6)
                : (20, 4, DecoderCounter.IPv4InIPv6TooSmall, DecoderCounter.IPv4InIPv6WrongVersion, DecoderCounter.IPv4InIPv6);
            if (ctx.End - offset < minimum)
            {
                Fail(ref ctx, tooSmall, DecodeResult.Truncated);
                return;
            }

            if (ctx.Data[offset] >> 4 != version)
            {
                Fail(ref ctx, wrongVersion, DecodeResult.BadVersion);
                return;
            }

            Count(decoded);
        }
        else
        {
            Count(innerIsIPv6 ? DecoderCounter.IPv6InIPv4 : DecoderCounter.IPv4InIPv4);
        }

        if (innerIsIPv6)
        {
            DecodeIPv6(ref ctx, offset);
        }
        else
        {
            DecodeIPv4(ref ctx, offset);
        }
    }

    /// <summary>
    /// Stores an IPv4 address (4 bytes, then zeros: what FlowAddress.FromBytes holds) as two 8-byte
    /// writes; building the struct from a 4-byte write and copying it would stall store forwarding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetIPv4Address(ref FlowAddress target, ReadOnlySpan<byte> d, int offset)
    {
        uint raw = System.Runtime.InteropServices.MemoryMarshal.Read<uint>(d.Slice(offset, 4));
        if (BitConverter.IsLittleEndian)
        {
            ref ulong words = ref Unsafe.As<FlowAddress, ulong>(ref target);
            words = raw;
            Unsafe.Add(ref words, 1) = 0;
        }
        else
        {
            target = FlowAddress.FromBytes(d.Slice(offset, 4));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FlowAddress IPv6Address(ReadOnlySpan<byte> d, int offset) =>
        System.Runtime.InteropServices.MemoryMarshal.Read<FlowAddress>(d.Slice(offset, 16));
}
