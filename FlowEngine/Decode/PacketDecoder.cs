using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Defrag;

namespace FlowEngine.Decode;

/// <summary>
/// Decodes one captured frame of any supported link type into a <see cref="DecodedPacket"/>:
/// link layers (Ethernet, VLAN, MPLS, PPPoE, Linux cooked, null/loopback), IPv4/IPv6 with
/// extension headers, transports and tunnels, handing fragments to the <see cref="Defragmenter"/>.
/// One instance per worker; no allocation per packet; never throws on packet content — a bad
/// packet is counted and <see cref="DecodedPacket.Result"/> says why.
/// </summary>
public sealed partial class PacketDecoder
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld = 0x9100;
    private const ushort EtherTypeMplsUnicast = 0x8847;
    private const ushort EtherTypeMplsMulticast = 0x8848;
    private const ushort EtherTypePppoeSession = 0x8864;
    private const ushort EtherTypePppoeDiscovery = 0x8863;
    private const ushort EtherTypeBridging = 0x6558;
    private const ushort EtherTypeEtag = 0x893F;
    private const ushort EtherTypeVntag = 0x8926;
    private const ushort EtherTypeNsh = 0x894F;

    private readonly DecoderCounters _counters;
    private readonly long[] _c;

    // The events of the packet being decoded (codes of DecoderCounter), copied into it at the end:
    // the decoder is per worker, so one buffer serves every method that counts without the context.
    private readonly ushort[] _events = new ushort[DecodedPacket.MaxEvents];
    private int _eventCount;

    // An event that makes Suricata count the packet in decoder.invalid although decoding went on
    // (ENGINE_SET_INVALID_EVENT without a failed decode, e.g. a bad IPv4 option length).
    private bool _invalid;
    private readonly DecoderOptions _options;
    private readonly Defragmenter? _defragmenter;
    private readonly int _maxLayers;
    private readonly bool _fastPath;

    /// <summary>Creates a decoder for one thread, with its own defragmenter when <paramref name="defrag"/> enables one.</summary>
    /// <param name="counters">The thread's counters; the decoder increments them.</param>
    /// <param name="options">Decoder options; defaults when null.</param>
    /// <param name="defrag">Reassembly of IP fragments; without it (or disabled), fragments are decoded as fragments (no ports).</param>
    public PacketDecoder(DecoderCounters counters, DecoderOptions? options = null, DefragOptions? defrag = null)
        : this(counters, options, defrag is { Enabled: true } ? new Defragmenter(defrag, counters ?? throw new ArgumentNullException(nameof(counters))) : null)
    {
    }

    /// <summary>Creates a decoder for one worker that shares <paramref name="defragmenter"/> with it (the worker expires its trackers).</summary>
    /// <param name="counters">The worker's counters; the decoder increments them.</param>
    /// <param name="options">Decoder options; defaults when null.</param>
    /// <param name="defragmenter">The worker's defragmenter; without one, fragments are decoded as fragments (no ports).</param>
    internal PacketDecoder(DecoderCounters counters, DecoderOptions? options, Defragmenter? defragmenter)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _counters = counters;
        _c = counters.Values;
        _options = options ?? new DecoderOptions();
        _defragmenter = defragmenter is { Enabled: true } ? defragmenter : null;
        _maxLayers = Math.Clamp(_options.MaxTunnelDepth + 1, 1, DecodedPacket.MaxLayers);
        _fastPath = _options.FastPath;
    }

    /// <summary>
    /// Drops the partial datagrams whose reassembly timeout passed at <paramref name="nowNanoseconds"/>
    /// (counted); a caller that decodes a capture calls it as the capture's time moves on.
    /// </summary>
    /// <param name="nowNanoseconds">The capture's time, nanoseconds since the Unix epoch.</param>
    public void ExpireFragments(long nowNanoseconds) => _defragmenter?.Expire(nowNanoseconds);

    /// <summary>The counters this decoder increments.</summary>
    public DecoderCounters Counters => _counters;

    /// <summary>
    /// Decodes one frame. <paramref name="packetBytes"/> is <paramref name="frame"/>, or — when this
    /// fragment completed a datagram — the reassembled packet (link and outer headers of this frame,
    /// then the whole datagram), valid until the next call; every offset in
    /// <see cref="DecodedPacket.Layers"/> refers to it.
    /// </summary>
    /// <param name="frame">The captured bytes, starting with the link header of <paramref name="record"/>'s link type.</param>
    /// <param name="record">The capture record (link type, time, outer VLAN tag).</param>
    /// <param name="packet">Filled in place.</param>
    /// <param name="packetBytes">The bytes the layers' offsets refer to.</param>
    /// <returns><see cref="DecodedPacket.Result"/>: <see cref="DecodeResult.FragmentHeld"/> when a fragment was kept for reassembly.</returns>
    public DecodeResult Decode(ReadOnlySpan<byte> frame, in PacketRecord record, ref DecodedPacket packet, out ReadOnlySpan<byte> packetBytes)
    {
        if (_fastPath && record.LinkType == LinkType.Ethernet && TryDecodeFast(frame, in record, ref packet))
        {
            packetBytes = frame;
            return DecodeResult.Ok;
        }

        return DecodeGeneral(frame, in record, ref packet, out packetBytes);
    }

    /// <summary>The general walk: every link type, layer and event.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DecodeResult DecodeGeneral(ReadOnlySpan<byte> frame, in PacketRecord record, ref DecodedPacket packet, out ReadOnlySpan<byte> packetBytes)
    {
        Counter(DecoderCounter.Packets)++;
        Counter(DecoderCounter.Bytes) += frame.Length;
        ref long max = ref Counter(DecoderCounter.MaxPacketSize);
        max = Math.Max(max, frame.Length);

        packet.Record = record;
        packet.LayerCount = 0;
        packet.SourceMac = 0;
        packet.DestinationMac = 0;
        packet.EtherType = 0;
        packet.Result = DecodeResult.Ok;
        packet.EventCount = 0;
        _eventCount = 0;
        _invalid = false;

        var ctx = new DecodeContext(frame, ref packet)
        {
            Now = record.TimestampNanoseconds,
            Snapped = (record.Flags & PacketFlags.Truncated) != 0 || record.CaptureLength < record.OriginalLength,
        };

        try
        {
            if ((record.Flags & PacketFlags.VlanTciValid) != 0)
            {
                PushVlan(ref ctx, (ushort)(record.VlanTci & 0x0FFF));
            }

            DecodeLink(ref ctx, record.LinkType);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // A bounds check the decoder missed: the runtime caught the access, so count it and keep
            // the worker alive. The fuzz tests assert this counter stays zero.
            Counter(DecoderCounter.InternalError)++;
            if (packet.Result == DecodeResult.Ok)
            {
                packet.Result = DecodeResult.Malformed;
            }
        }

        packetBytes = ctx.Data;
        for (int i = 0; i < _eventCount; i++)
        {
            packet.AddEvent((DecoderCounter)_events[i]);
        }

        DecodeResult result = packet.Result;
        if ((result is not DecodeResult.Ok and not DecodeResult.FragmentHeld) || _invalid)
        {
            Counter(DecoderCounter.Invalid)++;
        }

        return result;
    }

    private void DecodeLink(ref DecodeContext ctx, LinkType linkType)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        switch (linkType)
        {
            case LinkType.Ethernet:
                DecodeEthernet(ref ctx, 0);
                break;
            case LinkType.Raw or (LinkType)12 or (LinkType)14:
                // 12 and 14 are the DLT_RAW numbers some systems write into pcap files for LINKTYPE_RAW.
                Count(DecoderCounter.Raw);
                if (d.Length == 0)
                {
                    Fail(ref ctx, DecoderCounter.IprawInvalidIpVersion, DecodeResult.Truncated);
                }
                else if (d[0] >> 4 == 4)
                {
                    DecodeIPv4(ref ctx, 0);
                }
                else if (d[0] >> 4 == 6)
                {
                    DecodeIPv6(ref ctx, 0);
                }
                else
                {
                    Fail(ref ctx, DecoderCounter.IprawInvalidIpVersion, DecodeResult.BadVersion);
                }

                break;
            case LinkType.IPv4:
                Count(DecoderCounter.Raw);
                DecodeIPv4(ref ctx, 0);
                break;
            case LinkType.IPv6:
                Count(DecoderCounter.Raw);
                DecodeIPv6(ref ctx, 0);
                break;
            case LinkType.LinuxSll:
                // packet type, ARPHRD type, address length, 8 address bytes, protocol.
                Count(DecoderCounter.Sll);
                if (d.Length < 16)
                {
                    Fail(ref ctx, DecoderCounter.SllPktTooSmall, DecodeResult.Truncated);
                    return;
                }

                DecodeCookedProtocol(ref ctx, U16(d, 2), U16(d, 14), 16);
                break;
            case LinkType.LinuxSll2:
                // protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
                Count(DecoderCounter.Sll2);
                if (d.Length < 20)
                {
                    Fail(ref ctx, DecoderCounter.SllPktTooSmall, DecodeResult.Truncated);
                    return;
                }

                DecodeCookedProtocol(ref ctx, U16(d, 8), U16(d, 0), 20);
                break;
            case LinkType.CiscoHdlc:
                // Address (0x0F unicast, 0x8F broadcast), control, then the payload's EtherType.
                Count(DecoderCounter.Chdlc);
                if (d.Length < 4)
                {
                    Fail(ref ctx, DecoderCounter.ChdlcPktTooSmall, DecodeResult.Truncated);
                    return;
                }

                DecodeEtherType(ref ctx, 4, U16(d, 2));
                break;
            case LinkType.Null:
            case LinkType.Loop:
                DecodeNull(ref ctx, linkType == LinkType.Loop);
                break;
            default:
                Fail(ref ctx, DecoderCounter.UnsupportedLinkType, DecodeResult.UnsupportedLinkType);
                break;
        }
    }

    private void DecodeCookedProtocol(ref DecodeContext ctx, ushort arphrd, ushort protocol, int offset)
    {
        // ARPHRD_NETLINK carries netlink messages, not IP. Every other device type (Ethernet,
        // tunnels such as ARPHRD_IPGRE, whose GRE header the kernel already removed) names the
        // payload by its EtherType; values below 0x0600 are Linux pseudo types (802.3, 802.2, CAN).
        const ushort ArphrdNetlink = 824;
        if (arphrd != ArphrdNetlink && protocol >= 0x0600)
        {
            DecodeEtherType(ref ctx, offset, protocol);
        }
    }

    private void DecodeNull(ref DecodeContext ctx, bool networkOrder)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        Count(DecoderCounter.Null);
        if (d.Length < 4)
        {
            Fail(ref ctx, DecoderCounter.LtnullPktTooSmall, DecodeResult.Truncated);
            return;
        }

        // LINKTYPE_NULL is in the capturing host's byte order, which the file does not say: a family
        // value is small, so whichever order gives a small number is the right one.
        uint family = networkOrder ? U32(d, 0) : (uint)(d[0] | d[1] << 8 | d[2] << 16 | d[3] << 24);
        if (!networkOrder && family > 0xFFFF)
        {
            family = U32(d, 0);
        }

        switch (family)
        {
            case 2:
                DecodeIPv4(ref ctx, 4);
                break;
            case 10 or 24 or 28 or 30:
                // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS.
                DecodeIPv6(ref ctx, 4);
                break;
            default:
                Fail(ref ctx, DecoderCounter.LtnullUnsupportedType, DecodeResult.Ok);
                break;
        }
    }

    private void DecodeEthernet(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 14)
        {
            Fail(ref ctx, DecoderCounter.EthernetPktTooSmall, DecodeResult.Truncated);
            return;
        }

        Count(DecoderCounter.Ethernet);
        if (!ctx.MacSet)
        {
            ctx.MacSet = true;
            ctx.Packet.DestinationMac = Mac(d, offset);
            ctx.Packet.SourceMac = Mac(d, offset + 6);
        }

        DecodeEtherType(ref ctx, offset + 14, U16(d, offset + 12));
    }

    private void DecodeEtherType(ref DecodeContext ctx, int offset, ushort type)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        while (true)
        {
            if (++ctx.LinkHeaders > _options.MaxLinkHeaders)
            {
                Fail(ref ctx, DecoderCounter.TooManyLayers, DecodeResult.TooManyLayers);
                return;
            }

            switch (type)
            {
                case EtherTypeIPv4:
                    SetEtherType(ref ctx, type);
                    DecodeIPv4(ref ctx, offset);
                    return;
                case EtherTypeIPv6:
                    SetEtherType(ref ctx, type);
                    DecodeIPv6(ref ctx, offset);
                    return;
                case EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld:
                    if (ctx.End - offset < 4)
                    {
                        Fail(ref ctx, DecoderCounter.VlanHeaderTooSmall, DecodeResult.Truncated);
                        return;
                    }

                    PushVlan(ref ctx, (ushort)(U16(d, offset) & 0x0FFF));
                    type = U16(d, offset + 2);
                    offset += 4;
                    continue;
                case EtherTypeEtag:
                    // 802.1BR: six bytes of E-TCI, then the next EtherType (Suricata's DecodeETag).
                    if (!SkipTag(ref ctx, ref offset, ref type, 8, DecoderCounter.Etag, DecoderCounter.EtagHeaderTooSmall))
                    {
                        return;
                    }

                    continue;
                case EtherTypeVntag:
                    // VN-Tag: four bytes of tag, then the next EtherType (Suricata's DecodeVNTag).
                    if (!SkipTag(ref ctx, ref offset, ref type, 6, DecoderCounter.Vntag, DecoderCounter.VntagHeaderTooSmall))
                    {
                        return;
                    }

                    continue;
                case EtherTypeNsh:
                    DecodeNsh(ref ctx, offset);
                    return;
                case EtherTypeMplsUnicast or EtherTypeMplsMulticast:
                    DecodeMpls(ref ctx, offset);
                    return;
                case EtherTypePppoeSession:
                    DecodePppoeSession(ref ctx, offset);
                    return;
                case EtherTypePppoeDiscovery:
                    Count(DecoderCounter.Pppoe);
                    SetEtherType(ref ctx, type);
                    return;
                case EtherTypeArp:
                    Count(DecoderCounter.Arp);
                    SetEtherType(ref ctx, type);
                    return;
                case EtherTypeBridging:
                    DecodeEthernet(ref ctx, offset);
                    return;
                default:
                    if (type >= 0x0600)
                    {
                        // Below 0x0600 it is an 802.3 length (LLC follows): a known non-IP frame.
                        Count(DecoderCounter.UnknownEtherType);
                        Count(DecoderCounter.EthernetUnknownEtherType);
                        SetEtherType(ref ctx, type);
                    }

                    return;
            }
        }
    }

    /// <summary>A tag of <paramref name="length"/> bytes whose last two are the next EtherType: counts it and steps over it; false (counted as too small) when it is cut short.</summary>
    private bool SkipTag(ref DecodeContext ctx, ref int offset, ref ushort type, int length, DecoderCounter counter, DecoderCounter tooSmall)
    {
        if (ctx.End - offset < length)
        {
            Fail(ref ctx, tooSmall, DecodeResult.Truncated);
            return false;
        }

        Count(counter);
        type = U16(ctx.Data, offset + length - 2);
        offset += length;
        return true;
    }

    /// <summary>RFC 8300 NSH, checked as Suricata's DecodeNSH checks it; the next protocol follows the header's length.</summary>
    private void DecodeNsh(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        if (ctx.End - offset < 8)
        {
            Fail(ref ctx, DecoderCounter.NshHeaderTooSmall, DecodeResult.Truncated);
            return;
        }

        Count(DecoderCounter.Nsh);
        ushort versionFlagsLength = U16(d, offset);
        int length = (versionFlagsLength & 0x3F) * 4;
        int mdType = d[offset + 2] & 0x0F;
        DecoderCounter? fault = (versionFlagsLength >> 14) != 0 ? DecoderCounter.NshUnsupportedVersion
            : length < 8 || length > ctx.End - offset ? DecoderCounter.NshBadHeaderLength
            : mdType is 0 or 0x0F ? DecoderCounter.NshReservedType
            : mdType == 1 && length != 24 ? DecoderCounter.NshBadHeaderLength
            : mdType is not (1 or 2) ? DecoderCounter.NshUnsupportedType
            : null;
        if (fault is { } counter)
        {
            // As Suricata: a bad header makes the packet invalid; an MD type it cannot read is only an event.
            Fail(ref ctx, counter, counter == DecoderCounter.NshUnsupportedType ? DecodeResult.Ok : DecodeResult.Malformed);
            return;
        }

        int next = offset + length;
        switch (d[offset + 3])
        {
            case 1:
                SetEtherType(ref ctx, EtherTypeIPv4);
                DecodeIPv4(ref ctx, next);
                return;
            case 2:
                SetEtherType(ref ctx, EtherTypeIPv6);
                DecodeIPv6(ref ctx, next);
                return;
            case 3:
                DecodeEthernet(ref ctx, next);
                return;
            case 4:
                DecodeNsh(ref ctx, next);
                return;
            case 5:
                DecodeMpls(ref ctx, next);
                return;
            default:
                Fail(ref ctx, DecoderCounter.NshUnknownPayload, DecodeResult.Ok);
                return;
        }
    }

    private void PushVlan(ref DecodeContext ctx, ushort id)
    {
        switch (ctx.VlanHeaders++)
        {
            case 0:
                Count(DecoderCounter.Vlan);
                ctx.Vlan0 = id;
                break;
            case 1:
                Count(DecoderCounter.VlanQinq);
                ctx.Vlan1 = id;
                break;
            case 2:
                Count(DecoderCounter.VlanQinqinq);
                ctx.Vlan2 = id;
                break;
            default:
                // Deeper stacks are walked and counted; three ids key the flow, as in Suricata 7.
                Count(DecoderCounter.VlanTooManyLayers);
                break;
        }
    }

    private void DecodeMpls(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        Count(DecoderCounter.Mpls);
        uint entry;
        do
        {
            if (ctx.End - offset < 4)
            {
                Fail(ref ctx, DecoderCounter.MplsHeaderTooSmall, DecodeResult.Truncated);
                return;
            }

            if (++ctx.LinkHeaders > _options.MaxLinkHeaders)
            {
                Fail(ref ctx, DecoderCounter.TooManyLayers, DecodeResult.TooManyLayers);
                return;
            }

            entry = U32(d, offset);
            offset += 4;
        }
        while ((entry & 0x100) == 0);

        if (ctx.End - offset < 1)
        {
            Fail(ref ctx, DecoderCounter.MplsPktTooSmall, DecodeResult.Truncated);
            return;
        }

        uint label = entry >> 12;
        int nibble = d[offset] >> 4;
        if (label == 0 || (label > 15 && nibble == 4))
        {
            SetEtherType(ref ctx, EtherTypeIPv4);
            DecodeIPv4(ref ctx, offset);
        }
        else if (label == 2 || (label > 15 && nibble == 6))
        {
            SetEtherType(ref ctx, EtherTypeIPv6);
            DecodeIPv6(ref ctx, offset);
        }
        else if (label > 15 && nibble == 0)
        {
            // Ethernet pseudowire: a 4-byte control word, then the frame.
            if (ctx.End - offset < 4)
            {
                Fail(ref ctx, DecoderCounter.MplsPktTooSmall, DecodeResult.Truncated);
                return;
            }

            if (++ctx.LinkHeaders > _options.MaxLinkHeaders)
            {
                Fail(ref ctx, DecoderCounter.TooManyLayers, DecodeResult.TooManyLayers);
                return;
            }

            DecodeEthernet(ref ctx, offset + 4);
        }
        else
        {
            Fail(ref ctx, DecoderCounter.MplsUnknownPayloadType, DecodeResult.Ok);
        }
    }

    private void DecodePppoeSession(ref DecodeContext ctx, int offset)
    {
        ReadOnlySpan<byte> d = ctx.Data;
        Count(DecoderCounter.Pppoe);
        if (ctx.End - offset < 8)
        {
            Fail(ref ctx, DecoderCounter.PppoePktTooSmall, DecodeResult.Truncated);
            return;
        }

        // version/type 0x11, code 0 for session data, session id, length, then the PPP protocol.
        if (d[offset + 1] != 0)
        {
            Fail(ref ctx, DecoderCounter.PppoeWrongCode, DecodeResult.Malformed);
            return;
        }

        int length = U16(d, offset + 4);
        if (length < 2 || length > ctx.End - offset - 6)
        {
            if (length < 2 || !ctx.Snapped)
            {
                Fail(ref ctx, DecoderCounter.PppoePktTooSmall, DecodeResult.InvalidLength);
                return;
            }
        }
        else
        {
            ctx.End = offset + 6 + length;
        }

        DecodePppProtocol(ref ctx, U16(d, offset + 6), offset + 8);
    }

    private void DecodePppProtocol(ref DecodeContext ctx, ushort protocol, int offset)
    {
        Count(DecoderCounter.Ppp);
        switch (protocol)
        {
            case 0x0021:
                SetEtherType(ref ctx, EtherTypeIPv4);
                DecodeIPv4(ref ctx, offset);
                break;
            case 0x0057:
                SetEtherType(ref ctx, EtherTypeIPv6);
                DecodeIPv6(ref ctx, offset);
                break;
            default:
                // LCP, IPCP, CHAP, ...: valid PPP, not IP.
                Count(DecoderCounter.PppUnsupportedProtocol);
                break;
        }
    }

    /// <summary>Adds an IP layer, taking the pending VLAN ids; false (and counted) past the layer limit.</summary>
    private bool TryAddLayer(ref DecodeContext ctx, out int index)
    {
        ref DecodedPacket p = ref ctx.Packet;
        index = p.LayerCount;
        if (index >= _maxLayers)
        {
            Fail(ref ctx, DecoderCounter.TooManyLayers, DecodeResult.TooManyLayers);
            return false;
        }

        if (index > 0)
        {
            p.Layers[index - 1].Flags |= PacketLayerFlags.CarriesTunnel;
        }

        ref PacketLayer layer = ref p.Layers[index];
        layer = default;
        layer.TunnelDepth = (byte)index;
        int vlans = Math.Min(ctx.VlanHeaders, 3);
        layer.VlanCount = (byte)vlans;
        layer.Vlan0 = ctx.Vlan0;
        layer.Vlan1 = ctx.Vlan1;
        layer.Vlan2 = ctx.Vlan2;

        if (index > 0)
        {
            // IP-in-IP, Teredo, PPP over GRE and WCCP name no tunnel of their own.
            layer.TunnelKind = ctx.Tunnel == TunnelKind.None ? TunnelKind.Other : ctx.Tunnel;
            layer.TunnelId = ctx.TunnelId;
        }

        ctx.Tunnel = TunnelKind.None;
        ctx.TunnelId = 0;

        // An inner frame's VLAN ids are its own.
        ctx.VlanHeaders = 0;
        ctx.Vlan0 = ctx.Vlan1 = ctx.Vlan2 = 0;
        p.LayerCount = index + 1;
        return true;
    }

    private static void SetEtherType(ref DecodeContext ctx, ushort type)
    {
        if (ctx.Packet.EtherType == 0)
        {
            ctx.Packet.EtherType = type;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Count(DecoderCounter counter)
    {
        Counter(counter)++;
        if (IsEvent[(int)counter] && _eventCount < _events.Length)
        {
            _events[_eventCount++] = (ushort)counter;
        }
    }

    /// <summary>Which counters are events a packet records (<see cref="DecoderEvents"/>), by index.</summary>
    private static readonly bool[] IsEvent = EventCounters();

    // A loop, not LINQ over Enumerable.Range: its iterators over int and bool were JIT compiled at every start.
    private static bool[] EventCounters()
    {
        bool[] events = new bool[(int)DecoderCounter.Count];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = DecoderEvents.IsEvent((DecoderCounter)i);
        }

        return events;
    }

    /// <summary>
    /// A counter's slot without a bounds check: the array always has <see cref="DecoderCounter.Count"/>
    /// entries and every enum value below it has one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref long Counter(DecoderCounter counter) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_c), (nint)counter);

    /// <summary>Counts an event; a non-Ok result becomes the packet's result unless an earlier one is set.</summary>
    private void Fail(ref DecodeContext ctx, DecoderCounter counter, DecodeResult result)
    {
        Count(counter);
        if (result != DecodeResult.Ok && ctx.Packet.Result == DecodeResult.Ok)
        {
            ctx.Packet.Result = result;
        }
    }

    // Big-endian reads with one unsigned bounds check each (the span indexer would check every byte).
    // An offset past the data throws IndexOutOfRangeException exactly like the indexer.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ushort U16(ReadOnlySpan<byte> d, int offset)
    {
        if ((ulong)(uint)offset + 2 > (uint)d.Length)
        {
            ThrowOutOfRange();
        }

        return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(d), (nuint)(uint)offset)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint U32(ReadOnlySpan<byte> d, int offset)
    {
        if ((ulong)(uint)offset + 4 > (uint)d.Length)
        {
            ThrowOutOfRange();
        }

        return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(d), (nuint)(uint)offset)));
    }

    /// <summary>A MAC address as the low 48 bits; reads 8 bytes, so the caller guarantees 2 more after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mac(ReadOnlySpan<byte> d, int offset)
    {
        if ((ulong)(uint)offset + 8 > (uint)d.Length)
        {
            ThrowOutOfRange();
        }

        return BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(d), (nuint)(uint)offset))) >> 16;
    }

    // The same exception the span indexer throws, so Decode's one safety net catches both kinds of read.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
#pragma warning disable MA0012
    private static void ThrowOutOfRange() => throw new IndexOutOfRangeException("a packet read past the captured data");
#pragma warning restore MA0012
}
