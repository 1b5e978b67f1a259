using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Capture.Abstractions;
using Detect.Sample.Detection;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace Detect.Sample.Output;

/// <summary>
/// Assembles one EVE flow event as a UTF-8 line, byte for byte what <see cref="Utf8JsonWriter"/>
/// (unindented, relaxed escaping) writes for it: the shape is fixed and every name and value is
/// ASCII except the interface name (encoded once per name) and the community id (copied when it is
/// plain base64, encoded otherwise). A flow event is written per flow end, and the writer's per-call
/// cost (~25 calls per event) was most of it: ~2.5-3.9 us per event before, ~0.7-0.9 us after;
/// ~0.25 us since timestamps, addresses and TCP flag names come from caches and tables; ~0.13 us
/// since the end time is formatted once, literal copies stay inline and the position lives in a
/// local, not a field (docs/benchmarks-flows.md).
/// </summary>
internal sealed class EveFlowLine
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    private const int SecondsLength = EveFormat.SecondsLength;

    private const int MacLength = 17;

    /// <summary>Room for one flag set's members: all eight names are 88 bytes.</summary>
    private const int FlagNamesSlot = 96;

    /// <summary>
    /// The <c>"fin":true,...</c> members of every flag set, built once (eight tests and appends per
    /// TCP flow otherwise), each in a slot of <see cref="FlagNamesSlot"/> bytes so that the copy
    /// has a constant length; the set's real length is its slot's last byte.
    /// </summary>
    private static readonly byte[] FlagNames = BuildFlagNames();

    private readonly JavaScriptEncoder _encoder;

    /// <summary>The line's own buffer, for <see cref="Format(in FlowEndEvent, ReadOnlySpan{byte}, bool, bool)"/>.</summary>
    private byte[] _own = new byte[2048];

    /// <summary>Where the line being formatted goes: <see cref="_own"/>, or a log file's buffer.</summary>
    private byte[] _line = [];

    /// <summary>The end of the room in <see cref="_line"/>.</summary>
    private int _end;

    private readonly long[] _seconds = [long.MinValue, long.MinValue];
    private readonly byte[] _secondsText = new byte[2 * SecondsLength];
    private int _nextSecond;

    // The last source and destination MAC formatted, and their text: a sensor's flows mostly share
    // a gateway's MAC on one side, and the host's on the other. Not a MAC (48 bits) at first.
    private readonly ulong[] _macs = [ulong.MaxValue, ulong.MaxValue];
    private readonly byte[] _macText = new byte[2 * MacLength];
    private string? _interfaceName;
    private byte[] _interfaceText = [];

    /// <summary>The <c>,"host":"..."</c> member every event ends with when a sensor name is configured, encoded once.</summary>
    private readonly byte[] _host;

    public EveFlowLine(JavaScriptEncoder encoder, string? host = null)
    {
        _encoder = encoder;
        _host = host is null ? [] : [.. ",\"host\":\""u8, .. JsonEncodedText.Encode(host, encoder).EncodedUtf8Bytes, .. "\""u8];
    }

    /// <summary>Write <c>flow.exception_policy</c> (the flow type's <c>exception-policy: true</c>; Suricata's default is no).</summary>
    public bool WritesExceptionPolicy { get; init; }

    /// <summary>The most bytes <see cref="Format(in FlowEndEvent, ReadOnlySpan{byte}, bool, bool, ArraySegment{byte})"/> writes for the flow.</summary>
    /// <param name="flow">The flow's end.</param>
    /// <param name="communityIdLength">The length of the community id it is given.</param>
    public int MaxLength(in FlowEndEvent flow, int communityIdLength) =>
        // Everything but the interface's name and the host is bounded (~1,100 bytes with IPv6 and every option).
        1200 + FlagNamesSlot + InterfaceText(flow.InterfaceName).Length + communityIdLength + _host.Length;

    /// <summary>Formats the event and a trailing newline; the result is valid until the next call.</summary>
    /// <param name="flow">The flow's end.</param>
    /// <param name="communityId">The community id as ASCII ("1:" and base64, nothing JSON escapes), or empty for none.</param>
    /// <param name="ethernet">Write the <c>ether</c> object.</param>
    /// <param name="inIface">Write <c>in_iface</c> (live captures; Suricata writes none for packets read from files).</param>
    public ReadOnlySpan<byte> Format(in FlowEndEvent flow, ReadOnlySpan<byte> communityId, bool ethernet, bool inIface)
    {
        int needed = MaxLength(flow, communityId.Length);
        if (_own.Length < needed)
        {
            _own = new byte[needed];
        }

        return _own.AsSpan(0, Format(flow, communityId, ethernet, inIface, new ArraySegment<byte>(_own)));
    }

    /// <summary>
    /// Formats the event and a trailing newline straight into <paramref name="destination"/> (a log
    /// file's buffer: no copy of the line from a buffer of its own).
    /// </summary>
    /// <param name="flow">The flow's end.</param>
    /// <param name="communityId">The community id as ASCII ("1:" and base64, nothing JSON escapes), or empty for none.</param>
    /// <param name="ethernet">Write the <c>ether</c> object.</param>
    /// <param name="inIface">Write <c>in_iface</c> (live captures; Suricata writes none for packets read from files).</param>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes; the bytes past the line may be written too.</param>
    /// <returns>The line's length.</returns>
    public int Format(in FlowEndEvent flow, ReadOnlySpan<byte> communityId, bool ethernet, bool inIface, ArraySegment<byte> destination)
    {
        byte[] name = InterfaceText(flow.InterfaceName);
        Debug.Assert(communityId.Length <= 30, "a community id is \"1:\" and the base64 of a SHA-1");
        // The caller sized the room by MaxLength; every append checks its own room as well (Room).
        Debug.Assert(destination.Count >= MaxLength(flow, communityId.Length), "room for the longest line");
        _line = destination.Array!;
        int start = destination.Offset;
        _end = start + destination.Count;
        int at = start;
        at = Append(at, "{\"timestamp\":\""u8);
        int endAt = at;
        at = Timestamp(at, flow.EndNanoseconds);
        at = Append(at, "\",\"flow_id\":"u8);
        at = Number(at, flow.FlowId);
        if (flow.TunnelParentFlowId != 0)
        {
            at = Append(at, ",\"parent_id\":"u8);
            at = Number(at, flow.TunnelParentFlowId);
        }

        if (inIface)
        {
            at = Append(at, ",\"in_iface\":\""u8);
            at = Append(at, name);
            at = Append(at, "\""u8);
        }

        at = Append(at, ",\"event_type\":\"flow\""u8);
        FlowTuple tuple = flow.Tuple;
        if (flow.VlanCount > 0)
        {
            at = Append(at, ",\"vlan\":["u8);
            at = Number(at, tuple.Vlan0);
            if (flow.VlanCount > 1)
            {
                at = Append(at, ","u8);
                at = Number(at, tuple.Vlan1);
            }

            if (flow.VlanCount > 2)
            {
                at = Append(at, ","u8);
                at = Number(at, tuple.Vlan2);
            }

            at = Append(at, "]"u8);
        }

        bool ports = EveFormat.HasPorts(tuple.Protocol);
        at = Append(at, ",\"src_ip\":\""u8);
        at += EveFormat.FormatAddress(tuple.Source, tuple.IsIPv6, _line.AsSpan(at, _end - at));
        at = Append(at, "\""u8);
        if (ports)
        {
            at = Append(at, ",\"src_port\":"u8);
            at = Number(at, tuple.SourcePort);
        }

        at = Append(at, ",\"dest_ip\":\""u8);
        at += EveFormat.FormatAddress(tuple.Destination, tuple.IsIPv6, _line.AsSpan(at, _end - at));
        at = Append(at, "\""u8);
        if (ports)
        {
            at = Append(at, ",\"dest_port\":"u8);
            at = Number(at, tuple.DestinationPort);
        }

        at = Append(at, tuple.IsIPv6 ? ",\"ip_v\":6,\"proto\":\""u8 : ",\"ip_v\":4,\"proto\":\""u8);
        at = Protocol(at, tuple.Protocol);
        at = Append(at, "\""u8);
        if (flow.AppProtocol != 0)
        {
            at = Append(at, ",\"app_proto\":\""u8);
            at = Append(at, AppProtocolDetection.Utf8Name((AppProtocol)flow.AppProtocol));
            at = Append(at, "\""u8);
        }

        if (tuple.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6)
        {
            at = Icmp(at, in flow);
        }
        if (!communityId.IsEmpty)
        {
            at = Append(at, ",\"community_id\":\""u8);
            at = Append(at, communityId);
            at = Append(at, "\""u8);
        }

        if (ethernet && (flow.SourceMac | flow.DestinationMac) != 0)
        {
            at = Append(at, ",\"ether\":{\"src_mac\":\""u8);
            at = Mac(at, flow.SourceMac, 0);
            at = Append(at, "\",\"dest_mac\":\""u8);
            at = Mac(at, flow.DestinationMac, 1);
            at = Append(at, "\"}"u8);
        }

        at = DirectionCounters(at, ",\"flow\":{\"pkts_toserver\":"u8, flow.PacketsToServer, flow.PacketsToClient, flow.BytesToServer, flow.BytesToClient);
        if (flow.HasBypassCounters)
        {
            at = DirectionCounters(at, ",\"bypassed\":{\"pkts_toserver\":"u8, flow.BypassedPacketsToServer, flow.BypassedPacketsToClient, flow.BypassedBytesToServer, flow.BypassedBytesToClient);
            at = Append(at, "}"u8);
        }

        at = Append(at, ",\"start\":\""u8);
        at = Timestamp(at, flow.StartNanoseconds);
        at = Append(at, "\",\"end\":\""u8);

        // The event's timestamp is the flow's end: the same text (always TimestampLength bytes), already written once.
        at = Append(at, _line.AsSpan(endAt, EveFormat.TimestampLength));
        at = Append(at, "\",\"age\":"u8);
        at = Number(at, Math.Max(0, (flow.EndNanoseconds / 1_000_000_000) - (flow.StartNanoseconds / 1_000_000_000)));
        if (flow.Bypass == BypassKind.Local)
        {
            at = Append(at, ",\"bypass\":\"local\""u8);
        }
        else if (flow.Bypass != BypassKind.None)
        {
            at = Append(at, ",\"bypass\":\"capture\""u8);
        }

        switch (flow.State)
        {
            case FlowState.New: at = Append(at, ",\"state\":\"new\""u8); break;
            case FlowState.Established: at = Append(at, ",\"state\":\"established\""u8); break;
            case FlowState.Closed: at = Append(at, ",\"state\":\"closed\""u8); break;
            default: at = Append(at, ",\"state\":\"bypassed\""u8); break;
        }

        switch (flow.Reason)
        {
            case FlowEndReason.Timeout: at = Append(at, ",\"reason\":\"timeout\""u8); break;
            case FlowEndReason.Forced: at = Append(at, ",\"reason\":\"forced\""u8); break;
            case FlowEndReason.TcpReuse: at = Append(at, ",\"reason\":\"tcp_reuse\""u8); break;
            default: at = Append(at, ",\"reason\":\"shutdown\""u8); break;
        }

        if (flow.Dropped)
        {
            at = Append(at, ",\"action\":\"drop\""u8);
        }
        else if (flow.Accepted)
        {
            at = Append(at, ",\"action\":\"accept\""u8);
        }
        else if (flow.Passed)
        {
            at = Append(at, ",\"action\":\"pass\""u8);
        }

        if (flow.ExceptionPolicy != 0 && WritesExceptionPolicy)
        {
            at = Append(at, ",\"exception_policy\":[{\"target\":\"stream_midstream\",\"policy\":\""u8);
            at = Append(at, ExceptionPolicies.Utf8Name((ExceptionPolicy)flow.ExceptionPolicy));
            at = Append(at, "\"}]"u8);
        }

        if (flow.Alerted)
        {
            at = Append(at, ",\"alerted\":true}"u8);
        }
        else
        {
            at = Append(at, ",\"alerted\":false}"u8);
        }

        if (tuple.Protocol == IpProtocol.Tcp)
        {
            at = Tcp(at, flow.TcpFlagsToServer, flow.TcpFlagsToClient, flow.State);
        }

        at = Append(at, _host);
        at = Append(at, "}\n"u8);
        return at - start;
    }

    private static byte[] BuildFlagNames()
    {
        byte[] names = new byte[256 * FlagNamesSlot];
        for (int flags = 0; flags < 256; flags++)
        {
            Span<byte> slot = names.AsSpan(flags * FlagNamesSlot, FlagNamesSlot);
            int length = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((flags & (1 << bit)) != 0)
                {
                    ReadOnlySpan<byte> name = FlagName(bit);
                    name.CopyTo(slot[length..]);
                    length += name.Length;
                }
            }

            slot[^1] = (byte)length;
        }

        return names;
    }

    private static ReadOnlySpan<byte> FlagName(int bit) => bit switch
    {
        0 => ",\"fin\":true"u8,
        1 => ",\"syn\":true"u8,
        2 => ",\"rst\":true"u8,
        3 => ",\"psh\":true"u8,
        4 => ",\"ack\":true"u8,
        5 => ",\"urg\":true"u8,
        6 => ",\"ecn\":true"u8,
        _ => ",\"cwr\":true"u8,
    };

    /// <summary>The four per-direction counters; <paramref name="opening"/> ends with the first one's name.</summary>
    private int DirectionCounters(int at, ReadOnlySpan<byte> opening, long packetsToServer, long packetsToClient, long bytesToServer, long bytesToClient)
    {
        at = Append(at, opening);
        at = Number(at, packetsToServer);
        at = Append(at, ",\"pkts_toclient\":"u8);
        at = Number(at, packetsToClient);
        at = Append(at, ",\"bytes_toserver\":"u8);
        at = Number(at, bytesToServer);
        at = Append(at, ",\"bytes_toclient\":"u8);
        return Number(at, bytesToClient);
    }

    private int Tcp(int at, byte toServer, byte toClient, FlowState state)
    {
        byte all = (byte)(toServer | toClient);
        at = Append(at, ",\"tcp\":{\"tcp_flags\":\""u8);
        at = Hex(at, all);
        at = Append(at, "\",\"tcp_flags_ts\":\""u8);
        at = Hex(at, toServer);
        at = Append(at, "\",\"tcp_flags_tc\":\""u8);
        at = Hex(at, toClient);
        at = Append(at, "\""u8);

        // The whole slot is copied (a constant length, no call) and the line advances by the set's length.
        ref byte slot = ref FlagNames[all * FlagNamesSlot];
        Room(at, FlagNamesSlot);
        Unsafe.CopyBlockUnaligned(ref At(at), ref slot, FlagNamesSlot);
        at += Unsafe.Add(ref slot, FlagNamesSlot - 1);
        return Append(at, TcpState(state, toServer, toClient));
    }

    /// <summary>
    /// <c>tcp.state</c> where the flow's state and flags tell Suricata's session state without a stream
    /// engine: closed, established without a FIN, or the handshake's syn_sent / syn_recv; else none is written.
    /// </summary>
    private static ReadOnlySpan<byte> TcpState(FlowState state, byte toServer, byte toClient)
    {
        const byte Fin = 0x01, Syn = 0x02, Ack = 0x10;
        return state switch
        {
            FlowState.Closed => ",\"state\":\"closed\"}"u8,
            FlowState.Established when ((toServer | toClient) & Fin) == 0 => ",\"state\":\"established\"}"u8,
            FlowState.New when (toServer & Syn) != 0 && (toClient & (Syn | Ack)) == (Syn | Ack) => ",\"state\":\"syn_recv\"}"u8,
            FlowState.New when (toServer & Syn) != 0 && toClient == 0 => ",\"state\":\"syn_sent\"}"u8,
            _ => "}"u8,
        };
    }

    /// <summary>Suricata's ICMP fields: the first packet's type and code, and the first reply's when the engine saw one (a reply only a capture bypass saw has none).</summary>
    private int Icmp(int at, in FlowEndEvent flow)
    {
        at = Append(at, ",\"icmp_type\":"u8);
        at = Number(at, flow.IcmpTypeToServer);
        at = Append(at, ",\"icmp_code\":"u8);
        at = Number(at, flow.IcmpCodeToServer);
        if (flow.PacketsToClient - flow.BypassedPacketsToClient > 0)
        {
            at = Append(at, ",\"response_icmp_type\":"u8);
            at = Number(at, flow.IcmpTypeToClient);
            at = Append(at, ",\"response_icmp_code\":"u8);
            at = Number(at, flow.IcmpCodeToClient);
        }

        return at;
    }

    private int Protocol(int at, byte protocol)
    {
        ReadOnlySpan<byte> name = IpProtocolNames.Utf8(protocol);
        return name.IsEmpty ? Number(at, protocol) : Append(at, name);
    }

    private byte[] InterfaceText(string name)
    {
        if (!ReferenceEquals(name, _interfaceName))
        {
            _interfaceText = JsonEncodedText.Encode(name, _encoder).EncodedUtf8Bytes.ToArray();
            _interfaceName = name;
        }

        return _interfaceText;
    }

    /// <summary>
    /// Inlined, so each literal's constant length turns the copy into a few moves instead of a call.
    /// Built from intrinsics only: Format is past the JIT's inlining budget by its end, and there a
    /// span constructor or CopyTo left as a call cost a call and a store-forwarding stall per literal.
    /// The position is passed and returned, not kept in a field: a field is re-read after every
    /// store into the line, which chained each literal to the previous one's store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Append(int at, ReadOnlySpan<byte> text)
    {
        Room(at, text.Length);
        Unsafe.CopyBlockUnaligned(ref At(at), ref MemoryMarshal.GetReference(text), (uint)text.Length);
        return at + text.Length;
    }

    /// <summary>Checks that <paramref name="length"/> bytes fit after <paramref name="at"/> (Format sized the buffer for the largest line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Room(int at, int length)
    {
        if ((uint)length > (uint)(_end - at))
        {
            ThrowLineFull(at, length);
        }
    }

    /// <summary>Where the byte at <paramref name="at"/> goes; callers check <see cref="Room"/> first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref byte At(int at) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_line), at);

    [DoesNotReturn]
    private void ThrowLineFull(int at, int length) =>
        throw new InvalidOperationException($"the flow line's buffer has {_end - at} bytes left, {length} needed");

    /// <summary>
    /// A number: one digit inline, more in whole 8-byte stores whose spare bytes the next append
    /// overwrites, without a branch on the length (the lengths of ports, byte counts and ids vary
    /// from line to line, and branches on them were mispredicted often).
    /// </summary>
    private int Number(int at, long value)
    {
        // Packet counts and ages are mostly one digit: written here without the call.
        if ((ulong)value < 10)
        {
            Room(at, 1);
            At(at) = (byte)('0' + value);
            return at + 1;
        }

        if (value < 0)
        {
            return at + Utf8Decimal.Write(value, _line.AsSpan(at, _end - at));
        }

        Room(at, Utf8Decimal.MaxLength);
        return at + Utf8Decimal.WriteWithRoom((ulong)value, _line.AsSpan(at, Utf8Decimal.MaxLength));
    }

    /// <summary>
    /// A flow line formats two timestamps (start and end; the event's own is the end's copy),
    /// usually of one or two seconds: the calendar part
    /// (<c>yyyy-MM-ddTHH:mm:ss</c>) of the last two seconds seen is kept and copied, and only the
    /// microseconds are formatted each time.
    /// </summary>
    private int Timestamp(int at, long nanoseconds)
    {
        Span<byte> destination = _line.AsSpan(at, EveFormat.TimestampLength);
        if (nanoseconds < 0)
        {
            // Before 1970: rare enough to format whole.
            return at + EveFormat.FormatTimestamp(nanoseconds, destination);
        }

        long second = Math.DivRem(nanoseconds, NanosecondsPerSecond, out long fraction);
        int cached = second == _seconds[0] ? 0 : second == _seconds[1] ? 1 : -1;
        if (cached < 0)
        {
            // A new second: formatted whole, and its calendar part kept for the next ones.
            cached = _nextSecond;
            _nextSecond ^= 1;
            EveFormat.FormatTimestamp(nanoseconds, destination);
            destination[..SecondsLength].CopyTo(_secondsText.AsSpan(cached * SecondsLength));
            _seconds[cached] = second;
        }
        else
        {
            _secondsText.AsSpan(cached * SecondsLength, SecondsLength).CopyTo(destination);
            EveFormat.FormatSubsecond((uint)(fraction / 1_000), destination[SecondsLength..]);
        }

        return at + EveFormat.TimestampLength;
    }

    /// <summary>A MAC address, its text copied when it is the one last written on its side (<paramref name="side"/>: 0 source, 1 destination).</summary>
    private int Mac(int at, ulong mac, int side)
    {
        Span<byte> text = _macText.AsSpan(side * MacLength, MacLength);
        if (mac != _macs[side])
        {
            EveFormat.FormatMac(mac, text);
            _macs[side] = mac;
        }

        return Append(at, text);
    }

    private int Hex(int at, byte value)
    {
        Room(at, 2);
        EveFormat.WriteHexPair(ref At(at), value);
        return at + 2;
    }
}
