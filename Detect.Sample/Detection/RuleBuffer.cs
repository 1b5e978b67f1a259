namespace Detect.Sample.Detection;

/// <summary>
/// The bytes a <c>content</c>, <c>pcre</c> or <c>bsize</c> inspects: the packet's payload, or a
/// buffer Suricata names with a sticky-buffer keyword (<c>http.uri;</c>) or a content modifier
/// (<c>http_uri</c>).
/// </summary>
internal enum RuleBuffer
{
    /// <summary>The transport payload (<c>pkt_data</c>, the default).</summary>
    Payload,

    /// <summary><c>http.uri</c> / <c>http_uri</c> / <c>uricontent</c>: the request URI.</summary>
    HttpUri,

    /// <summary><c>http.uri.raw</c> / <c>http_raw_uri</c>.</summary>
    HttpRawUri,

    /// <summary><c>http.method</c> / <c>http_method</c>.</summary>
    HttpMethod,

    /// <summary><c>http.request_line</c> / <c>http_request_line</c>: the request line without its CRLF.</summary>
    HttpRequestLine,

    /// <summary><c>http.response_line</c> / <c>http_response_line</c>.</summary>
    HttpResponseLine,

    /// <summary><c>http.header</c> / <c>http_header</c>: the header lines, each ending in CRLF.</summary>
    HttpHeader,

    /// <summary><c>http.header.raw</c> / <c>http_raw_header</c>.</summary>
    HttpRawHeader,

    /// <summary><c>http.host</c> / <c>http_host</c>: the Host header's value, lower-cased as Suricata normalises it.</summary>
    HttpHost,

    /// <summary><c>http.host.raw</c> / <c>http_raw_host</c>.</summary>
    HttpRawHost,

    /// <summary><c>http.user_agent</c> / <c>http_user_agent</c>.</summary>
    HttpUserAgent,

    /// <summary><c>http.cookie</c> / <c>http_cookie</c>.</summary>
    HttpCookie,

    /// <summary><c>http.connection</c>.</summary>
    HttpConnection,

    /// <summary><c>http.content_type</c>.</summary>
    HttpContentType,

    /// <summary><c>http.referer</c>.</summary>
    HttpReferer,

    /// <summary><c>http.accept</c>.</summary>
    HttpAccept,

    /// <summary><c>http.server</c>.</summary>
    HttpServer,

    /// <summary><c>http.location</c>.</summary>
    HttpLocation,

    /// <summary><c>http.stat_code</c> / <c>http_stat_code</c>.</summary>
    HttpStatCode,

    /// <summary><c>http.stat_msg</c> / <c>http_stat_msg</c>.</summary>
    HttpStatMsg,

    /// <summary><c>http.protocol</c>: the request's or response's HTTP version.</summary>
    HttpProtocol,

    /// <summary><c>http.request_body</c> / <c>http_client_body</c>: the request body bytes in the packet that carries the head.</summary>
    HttpRequestBody,

    /// <summary><c>http.response_body</c> / <c>http_server_body</c> / <c>file.data</c> on responses.</summary>
    HttpResponseBody,

    /// <summary><c>ipv4.hdr</c>: the IPv4 header with its options.</summary>
    Ipv4Header,

    /// <summary><c>ipv6.hdr</c>: the 40-byte IPv6 header.</summary>
    Ipv6Header,

    /// <summary><c>tcp.hdr</c>: the TCP header with its options.</summary>
    TcpHeader,

    /// <summary><c>udp.hdr</c>: the 8-byte UDP header.</summary>
    UdpHeader,

    /// <summary><c>igmp.hdr</c>: the 8-byte IGMP header.</summary>
    IgmpHeader,

    /// <summary><c>dcerpc.stub_data</c>: a DCE/RPC REQUEST's stub data to the server, a RESPONSE's to the client (one buffer per PDU).</summary>
    DcerpcStubData,
}
