using System.Text;
using FlowEngine.Stream;

namespace Detect.Sample.Detection;

/// <summary>
/// The buffers rules inspect in one packet: the payload, the network and transport headers, and,
/// on a flow detected as HTTP, the parts of the request or response head the payload starts with
/// (parsed once, on the first rule that asks). Lives on the stack for one packet.
/// </summary>
internal ref struct PacketBuffers
{
    private readonly ReadOnlySpan<byte> _packet;
    private readonly Span<byte> _scratch;
    private readonly int _networkOffset;
    private readonly int _transportOffset;
    private readonly int _payloadOffset;
    private readonly bool _isIPv6;
    private readonly bool _toServer;
    private readonly byte _protocol;
    private readonly ReadOnlySpan<byte> _httpSource;
    private HttpHead _http;
    private bool _httpParsed;

    private readonly ReadOnlySpan<byte> _heldBody;
    private readonly HttpBodyState _bodyState;

    // Where the HTTP message the buffers are read from starts in the payload (a later one of pipelined requests).
    private int _httpStart;

    /// <param name="payload">The transport payload.</param>
    /// <param name="packet">The captured packet, or empty when only the payload is known.</param>
    /// <param name="facts">The packet's header facts (offsets into <paramref name="packet"/>).</param>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The innermost IP layer is IPv6.</param>
    /// <param name="app">The flow's application-layer protocol.</param>
    /// <param name="scratch">Room for normalised buffers (the lower-cased Host).</param>
    /// <param name="events">The decoder events the packet raised (codes of <see cref="FlowEngine.Decode.DecoderEvents"/>).</param>
    /// <param name="streamEvents">The TCP stream events the packet raised.</param>
    public PacketBuffers(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packet, in RulePacket facts, byte protocol, bool isIPv6, AppProtocol app, Span<byte> scratch, ReadOnlySpan<ushort> events = default, ReadOnlySpan<StreamEvent> streamEvents = default)
        : this(payload, packet, facts, protocol, isIPv6, app, scratch, events, streamEvents, payload)
    {
    }

    /// <param name="payload">The transport payload.</param>
    /// <param name="packet">The captured packet, or empty when only the payload is known.</param>
    /// <param name="facts">The packet's header facts (offsets into <paramref name="packet"/>).</param>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The innermost IP layer is IPv6.</param>
    /// <param name="app">The flow's application-layer protocol.</param>
    /// <param name="scratch">Room for normalised buffers (the lower-cased Host).</param>
    /// <param name="events">The decoder events the packet raised.</param>
    /// <param name="streamEvents">The TCP stream events the packet raised.</param>
    /// <param name="http">
    /// Where the HTTP buffers are read: the payload, a head joined from earlier segments that this
    /// packet ended (<see cref="SplitHttpHead"/>), or nothing while such a head goes on.
    /// </param>
    /// <param name="bodyState">What the packet's HTTP body buffer is when bodies are followed over packets (<see cref="HttpBodyTracking"/>).</param>
    /// <param name="heldBody">The whole body the packet completed (<see cref="HttpBodyState.Complete"/>).</param>
    public PacketBuffers(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> packet, in RulePacket facts, byte protocol, bool isIPv6, AppProtocol app, Span<byte> scratch, ReadOnlySpan<ushort> events, ReadOnlySpan<StreamEvent> streamEvents, ReadOnlySpan<byte> http, HttpBodyState bodyState = HttpBodyState.InPacket, ReadOnlySpan<byte> heldBody = default)
    {
        _httpSource = http;
        _bodyState = bodyState;
        _heldBody = heldBody;
        Events = events;
        StreamEvents = streamEvents;
        Payload = payload;
        _packet = packet;
        _networkOffset = facts.NetworkOffset;
        _transportOffset = facts.TransportOffset;
        _payloadOffset = facts.PayloadOffset;
        _isIPv6 = isIPv6;
        _toServer = facts.ToServer;
        _protocol = protocol;
        App = app;
        _scratch = scratch;
    }

    public ReadOnlySpan<byte> Payload { get; }

    public AppProtocol App { get; }

    /// <summary>The decoder events the packet raised.</summary>
    public ReadOnlySpan<ushort> Events { get; }

    /// <summary>The TCP stream events the packet raised.</summary>
    public ReadOnlySpan<StreamEvent> StreamEvents { get; }

    /// <summary>Whether <paramref name="inspection"/> holds in its buffer: in one of them for a buffer a packet may hold several of (a DCE/RPC PDU's stub data each).</summary>
    public bool Matches(BufferInspection inspection)
    {
        if (inspection.Buffer == RuleBuffer.DcerpcStubData)
        {
            return StubDataMatches(inspection);
        }

        return TryGet(inspection.Buffer, out ReadOnlySpan<byte> bytes) && inspection.Matches(bytes);
    }

    /// <summary>The bytes of <paramref name="buffer"/>; false when the packet has no such buffer (a non-HTTP flow for an HTTP buffer, an IPv4 packet for ipv6.hdr, ...).</summary>
    public bool TryGet(RuleBuffer buffer, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        switch (buffer)
        {
            case RuleBuffer.Payload:
                bytes = Payload;
                return true;
            case RuleBuffer.Ipv4Header when !_isIPv6:
                return TrySlice(_networkOffset, _transportOffset, out bytes);
            case RuleBuffer.Ipv6Header when _isIPv6:
                return TrySlice(_networkOffset, _networkOffset + 40, out bytes);
            case RuleBuffer.TcpHeader when _protocol == FlowEngine.Decode.IpProtocol.Tcp:
                return TrySlice(_transportOffset, _payloadOffset, out bytes);
            case RuleBuffer.UdpHeader when _protocol == FlowEngine.Decode.IpProtocol.Udp:
                return TrySlice(_transportOffset, _transportOffset + 8, out bytes);
            case RuleBuffer.IgmpHeader when _protocol == FlowEngine.Decode.IpProtocol.Igmp:
                return TrySlice(_transportOffset, _transportOffset + 8, out bytes);
            case RuleBuffer.Ipv4Header or RuleBuffer.Ipv6Header or RuleBuffer.TcpHeader or RuleBuffer.UdpHeader or RuleBuffer.IgmpHeader:
                return false;
        }

        if (App != AppProtocol.Http)
        {
            return false;
        }

        if (buffer is RuleBuffer.HttpRequestBody or RuleBuffer.HttpResponseBody && _bodyState != HttpBodyState.InPacket && _httpStart == 0)
        {
            // A body over several packets: none until its last byte, then the whole of it, in its direction.
            bytes = _bodyState == HttpBodyState.Complete && (buffer == RuleBuffer.HttpRequestBody) == _toServer ? _heldBody : default;
            return !bytes.IsEmpty;
        }

        ReadOnlySpan<byte> message = ParsedHttpMessage();
        if (!_http.TryGet(message, buffer, out bytes))
        {
            return false;
        }

        if (buffer == RuleBuffer.HttpHost && bytes.Length <= _scratch.Length)
        {
            // Suricata's http.host is the normalised (lower-case) host; http.host.raw is as sent.
            Span<byte> lower = _scratch[..bytes.Length];
            _ = Ascii.ToLower(bytes, lower, out _);
            bytes = lower;
        }

        return true;
    }

    /// <summary>Reads the HTTP buffers from the packet's first message again (each rule starts there).</summary>
    public void FirstHttpMessage()
    {
        if (_httpStart != 0)
        {
            _httpStart = 0;
            _httpParsed = false;
        }
    }

    /// <summary>
    /// Reads the HTTP buffers from the next message the payload carries, as Suricata inspects each
    /// transaction of pipelined requests; false (and no move) when there is none.
    /// </summary>
    public bool NextHttpMessage()
    {
        if (App != AppProtocol.Http)
        {
            return false;
        }

        _ = ParsedHttpMessage();
        int end = _http.End;
        if (end <= 0)
        {
            return false;
        }

        // Empty lines between requests are skipped, as libhtp skips them before a request line.
        int next = _httpStart + end;
        while (next < _httpSource.Length && _httpSource[next] is (byte)'\r' or (byte)'\n')
        {
            next++;
        }

        if (next >= _httpSource.Length || !HttpHead.Parse(_httpSource[next..]).IsValid)
        {
            return false;
        }

        _httpStart = next;
        _httpParsed = false;
        return true;
    }

    /// <summary>The selected HTTP message and what follows it, its head parsed once.</summary>
    private ReadOnlySpan<byte> ParsedHttpMessage()
    {
        ReadOnlySpan<byte> message = _httpSource[_httpStart..];
        if (!_httpParsed)
        {
            _http = HttpHead.Parse(message);
            _httpParsed = true;
        }

        return message;
    }

    /// <summary>
    /// <c>dcerpc.stub_data</c> on a DCE/RPC flow: the stub data of each REQUEST the packet carries to
    /// the server, of each RESPONSE to the client (Suricata's request and response buffers).
    /// </summary>
    private readonly bool StubDataMatches(BufferInspection inspection)
    {
        if (App != AppProtocol.Dcerpc)
        {
            return false;
        }

        byte type = _toServer ? DcerpcPdu.Request : DcerpcPdu.Response;
        var reader = new DcerpcPduReader(Payload);
        while (reader.TryRead(out DcerpcPdu pdu))
        {
            if (pdu.Type == type && inspection.Matches(pdu.StubData))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The IPv4 packet's IGMP message, bounded by the IP total length (not the frame's padding).</summary>
    public readonly bool TryGetIgmpMessage(out ReadOnlySpan<byte> message)
    {
        message = default;
        if (_isIPv6 || _protocol != FlowEngine.Decode.IpProtocol.Igmp || _networkOffset < 0 || _networkOffset + 4 > _packet.Length)
        {
            return false;
        }

        int end = _networkOffset + ((_packet[_networkOffset + 2] << 8) | _packet[_networkOffset + 3]);
        return TrySlice(_transportOffset, Math.Min(end, _packet.Length), out message);
    }

    /// <summary>Whether the IPv4 header carries option <paramref name="option"/> (a type byte; -1: any option).</summary>
    public readonly bool HasIpv4Option(int option)
    {
        if (_isIPv6 || !TrySlice(_networkOffset + 20, _transportOffset, out ReadOnlySpan<byte> options))
        {
            return false;
        }

        int at = 0;
        while (at < options.Length)
        {
            byte type = options[at];
            if (option < 0 || type == option)
            {
                return true;
            }

            if (type == 0)
            {
                return false;
            }

            at += type == 1 ? 1 : at + 1 < options.Length ? Math.Max((int)options[at + 1], 2) : options.Length;
        }

        return false;
    }

    private readonly bool TrySlice(int start, int end, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (start < 0 || end <= start || end > _packet.Length)
        {
            return false;
        }

        bytes = _packet[start..end];
        return true;
    }
}
