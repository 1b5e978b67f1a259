using System.Globalization;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Decode;
using FlowEngine.Stream;

namespace Detect.Sample.Detection;

/// <summary>
/// Parses one rule of the supported subset of Suricata's syntax:
/// <c>alert|pass|drop|reject proto src sport -&gt;|&lt;&gt; dst dport (option; ...)</c>, where proto
/// may name an application-layer protocol that <see cref="AppProtocolDetection"/> detects. Options:
/// msg, content (with <c>|hex|</c>, <c>!</c>) and its modifiers (nocase, offset, depth, startswith,
/// endswith, distance, within), pcre, bsize, the HTTP and header sticky buffers and content modifiers
/// (<see cref="RuleBuffer"/>), sid, rev, gid, classtype, priority, bypass, flow, dsize, ttl, ip_proto,
/// itype, icode, icmp_id, icmp_seq, flags, seq, ack, flowbits, noalert; metadata, reference, target,
/// fast_pattern and prefilter (hints for Suricata's prefilter engine) are accepted and change nothing.
/// </summary>
internal static class RuleParser
{
    private static readonly Dictionary<string, (string Category, int Severity)> ClassTypes = new(StringComparer.Ordinal)
    {
        ["not-suspicious"] = ("Not Suspicious Traffic", 3),
        ["unknown"] = ("Unknown Traffic", 3),
        ["bad-unknown"] = ("Potentially Bad Traffic", 2),
        ["attempted-recon"] = ("Attempted Information Leak", 2),
        ["successful-recon-limited"] = ("Information Leak", 2),
        ["attempted-dos"] = ("Attempted Denial of Service", 2),
        ["attempted-user"] = ("Attempted User Privilege Gain", 1),
        ["attempted-admin"] = ("Attempted Administrator Privilege Gain", 1),
        ["web-application-attack"] = ("Web Application Attack", 1),
        ["trojan-activity"] = ("A Network Trojan was detected", 1),
        ["policy-violation"] = ("Potential Corporate Privacy Violation", 1),
        ["protocol-command-decode"] = ("Generic Protocol Command Decode", 3),
        ["misc-activity"] = ("Misc activity", 3),
        ["misc-attack"] = ("Misc Attack", 2),
        ["network-scan"] = ("Detection of a Network Scan", 3),
    };

    private const string SupportedKeywords = "msg, tcp.session, iprep, alert (firewall rules), decode-event, stream-event, requires, hostbits, igmp.hdr, igmp.type, igmp-csum, ipopts, content, uricontent, nocase, startswith, endswith, offset, depth, distance, within, pcre, bsize, pkt_data, http.* buffers and http_* modifiers, ipv4.hdr, ipv6.hdr, tcp.hdr, udp.hdr, dcerpc.stub_data, sid, rev, gid, classtype, priority, bypass, flow, dsize, ttl, ip_proto, itype, icode, icmp_id, icmp_seq, flags, seq, ack, flowbits, noalert, metadata, reference, target, fast_pattern, prefilter";

    /// <summary>Sticky-buffer keywords: the contents and pcres after them inspect the buffer.</summary>
    private static readonly Dictionary<string, RuleBuffer> StickyBuffers = new(StringComparer.Ordinal)
    {
        ["pkt_data"] = RuleBuffer.Payload,
        ["http.uri"] = RuleBuffer.HttpUri, ["http.uri.raw"] = RuleBuffer.HttpRawUri, ["http.method"] = RuleBuffer.HttpMethod,
        ["http.request_line"] = RuleBuffer.HttpRequestLine, ["http_request_line"] = RuleBuffer.HttpRequestLine,
        ["http.response_line"] = RuleBuffer.HttpResponseLine, ["http_response_line"] = RuleBuffer.HttpResponseLine,
        ["http.header"] = RuleBuffer.HttpHeader, ["http.header.raw"] = RuleBuffer.HttpRawHeader,
        ["http.host"] = RuleBuffer.HttpHost, ["http.host.raw"] = RuleBuffer.HttpRawHost, ["http.user_agent"] = RuleBuffer.HttpUserAgent,
        ["http.cookie"] = RuleBuffer.HttpCookie, ["http.connection"] = RuleBuffer.HttpConnection, ["http.content_type"] = RuleBuffer.HttpContentType,
        ["http.referer"] = RuleBuffer.HttpReferer, ["http.accept"] = RuleBuffer.HttpAccept, ["http.server"] = RuleBuffer.HttpServer,
        ["http.location"] = RuleBuffer.HttpLocation, ["http.stat_code"] = RuleBuffer.HttpStatCode, ["http.stat_msg"] = RuleBuffer.HttpStatMsg,
        ["http.protocol"] = RuleBuffer.HttpProtocol, ["http.request_body"] = RuleBuffer.HttpRequestBody, ["http.response_body"] = RuleBuffer.HttpResponseBody,
        ["igmp.hdr"] = RuleBuffer.IgmpHeader, ["ipv4.hdr"] = RuleBuffer.Ipv4Header, ["ipv6.hdr"] = RuleBuffer.Ipv6Header, ["tcp.hdr"] = RuleBuffer.TcpHeader, ["udp.hdr"] = RuleBuffer.UdpHeader,
        ["dcerpc.stub_data"] = RuleBuffer.DcerpcStubData,
    };

    /// <summary>Content modifiers (Suricata's older syntax): the content before them inspects the buffer.</summary>
    private static readonly Dictionary<string, RuleBuffer> ContentModifiers = new(StringComparer.Ordinal)
    {
        ["http_uri"] = RuleBuffer.HttpUri, ["http_raw_uri"] = RuleBuffer.HttpRawUri, ["http_method"] = RuleBuffer.HttpMethod,
        ["http_header"] = RuleBuffer.HttpHeader, ["http_raw_header"] = RuleBuffer.HttpRawHeader, ["http_host"] = RuleBuffer.HttpHost,
        ["http_raw_host"] = RuleBuffer.HttpRawHost, ["http_user_agent"] = RuleBuffer.HttpUserAgent, ["http_cookie"] = RuleBuffer.HttpCookie,
        ["http_stat_code"] = RuleBuffer.HttpStatCode, ["http_stat_msg"] = RuleBuffer.HttpStatMsg, ["http_client_body"] = RuleBuffer.HttpRequestBody,
        ["http_server_body"] = RuleBuffer.HttpResponseBody,
    };

    private static readonly Dictionary<string, long> ProtocolNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ip"] = 0, ["icmp"] = 1, ["igmp"] = 2, ["ipip"] = 4, ["tcp"] = 6, ["udp"] = 17, ["ipv6"] = 41, ["gre"] = 47,
        ["esp"] = 50, ["ah"] = 51, ["icmpv6"] = 58, ["ipv6-icmp"] = 58, ["pim"] = 103, ["sctp"] = 132,
    };

    /// <summary>Suricata's application-layer protocol names, which a rule may use as its protocol.</summary>
    private static readonly HashSet<string> AppLayerProtocols = new(StringComparer.Ordinal)
    {
        "http", "http1", "http2", "tls", "ssl", "ssh", "dns", "smtp", "ftp", "ftp-data", "smb", "dcerpc", "nfs", "tftp", "ntp",
        "krb5", "ike", "dhcp", "snmp", "sip", "rfb", "mqtt", "rdp", "quic", "pgsql", "modbus", "dnp3", "enip", "ldap",
        "websocket", "pop3", "imap", "telnet", "bittorrent-dht", "doh2", "mdns", "llmnr", "ja3", "ja4",
    };

    /// <summary>The application-layer protocols a rule's protocol field may name, as detection knows them.</summary>
    private static readonly Dictionary<string, AppProtocol> DetectedProtocols = new(StringComparer.Ordinal)
    {
        ["http"] = AppProtocol.Http, ["http1"] = AppProtocol.Http, ["tls"] = AppProtocol.Tls, ["ssl"] = AppProtocol.Tls,
        ["ssh"] = AppProtocol.Ssh, ["dns"] = AppProtocol.Dns, ["smtp"] = AppProtocol.Smtp, ["ftp"] = AppProtocol.Ftp,
        ["smb"] = AppProtocol.Smb, ["dcerpc"] = AppProtocol.Dcerpc, ["ntp"] = AppProtocol.Ntp,
    };

    /// <param name="text">The rule.</param>
    /// <param name="addressGroups">Address variables.</param>
    /// <param name="portGroups">Port variables.</param>
    /// <param name="file">The rules file (for errors).</param>
    /// <param name="line">The line (for errors).</param>
    /// <param name="firewall">The firewall action and hook when the rule comes from a firewall rules file (<see cref="Firewall.FirewallRuleParser"/>).</param>
    /// <param name="reputation">IP reputation, for <c>iprep</c>; null when not configured.</param>
    public static Rule Parse(string text, IReadOnlyDictionary<string, string> addressGroups, IReadOnlyDictionary<string, string> portGroups, string file, int line, FirewallRuleSpec? firewall = null, IpReputation? reputation = null)
    {
        int open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || text.TrimEnd()[^1] != ')')
        {
            throw new RuleSyntaxException("expected 'action proto src sport -> dst dport (options)'; the option block in parentheses is missing");
        }

        List<string> header = SplitHeader(text[..open]);
        if (header.Count != 7)
        {
            throw new RuleSyntaxException($"the header has {header.Count} fields, expected 7: action proto src sport -> dst dport");
        }

        RuleAction action = header[0] switch
        {
            "alert" => RuleAction.Alert,
            "pass" => RuleAction.Pass,
            "drop" => RuleAction.Drop,
            "reject" or "rejectsrc" or "rejectdst" or "rejectboth" => RuleAction.Reject,
            _ => throw new RuleSyntaxException($"action '{header[0]}' is not supported; expected alert, pass, drop or reject"),
        };
        string protocolName = header[1].ToLowerInvariant();
        AppProtocol appProtocol = DetectedProtocols.GetValueOrDefault(protocolName);
        RuleProtocol protocol = protocolName switch
        {
            _ when appProtocol is AppProtocol.Dns => RuleProtocol.Ip,
            _ when appProtocol is AppProtocol.Ntp => RuleProtocol.Udp,
            _ when appProtocol != AppProtocol.Unknown => RuleProtocol.Tcp,
            "ip" or "any" or "pkthdr" => RuleProtocol.Ip,
            "ipv4" or "ip4" => RuleProtocol.Ipv4,
            "ipv6" or "ip6" => RuleProtocol.Ipv6,
            "tcp" or "tcp-pkt" or "tcp-stream" => RuleProtocol.Tcp,
            "udp" => RuleProtocol.Udp,
            "icmp" => RuleProtocol.Icmp,
            "icmpv4" => RuleProtocol.Icmpv4,
            "icmpv6" => RuleProtocol.Icmpv6,
            "sctp" => RuleProtocol.Sctp,
            "igmp" => RuleProtocol.Igmp,
            _ when AppLayerProtocols.Contains(header[1].ToLowerInvariant()) => throw new RuleSyntaxException($"protocol '{header[1]}' needs application-layer protocol detection, which this host has for {string.Join(", ", DetectedProtocols.Keys)} only; expected one of them or ip, ipv4, ipv6, tcp, udp, icmp, icmpv4, icmpv6 or sctp"),
            _ => throw new RuleSyntaxException($"protocol '{header[1]}' is not supported; expected ip, ipv4, ipv6, tcp, udp, icmp, icmpv4, icmpv6, sctp or igmp"),
        };
        bool bidirectional = header[4] switch
        {
            "->" => false,
            "<>" => true,
            _ => throw new RuleSyntaxException($"direction '{header[4]}' is not allowed; expected -> or <>"),
        };

        string message = string.Empty;
        long? sid = null;
        long rev = 1;
        long gid = 1;
        string category = string.Empty;
        int severity = 3;
        int? priority = null;
        bool bypass = false;
        var contents = new List<ContentPattern>();
        var flowbits = new List<FlowbitCommand>();
        var hostbits = new List<HostbitCommand>();
        bool noAlert = false;
        bool? flowToServer = null;
        bool? flowEstablished = null;
        RuleNumber? payloadSize = null;
        RuleNumber? ttl = null;
        RuleNumber? ipProtocol = null;
        RuleNumber? icmpType = null;
        RuleNumber? icmpCode = null;
        RuleNumber? icmpId = null;
        ushort? decodeEvent = null;
        StreamEvent? streamEvent = null;
        RuleNumber? igmpType = null;
        bool? igmpChecksum = null;
        int? ipOption = null;
        RuleNumber? icmpSequence = null;
        RuleNumber? tcpSequence = null;
        RuleNumber? tcpAcknowledgement = null;
        TcpFlagsTest? tcpFlags = null;
        TcpSessionPhases tcpSession = TcpSessionPhases.None;
        var reputationTests = new List<IpReputationTest>();
        var inspections = new List<BufferInspection>();
        var patterns = new List<(RuleBuffer Buffer, IRulePattern Pattern)>();
        RuleBuffer? sticky = null;
        var sizes = new List<(RuleBuffer Buffer, RuleNumber Size)>();
        var keywords = new List<string>();
        string optionBlock = text[(open + 1)..text.LastIndexOf(')')];
        foreach (string option in RuleText.SplitOptions(optionBlock))
        {
            int colon = option.IndexOf(':', StringComparison.Ordinal);
            string keyword = (colon < 0 ? option : option[..colon]).Trim();
            string value = colon < 0 ? string.Empty : option[(colon + 1)..].Trim();
            keywords.Add(keyword);
            switch (keyword)
            {
                case "msg":
                    message = Unquote(value, keyword);
                    break;
                case "content" or "uricontent":
                    ContentPattern content = ContentPattern.Parse(value);
                    contents.Add(content);
                    patterns.Add((string.Equals(keyword, "uricontent", StringComparison.Ordinal) ? RuleBuffer.HttpUri : sticky ?? RuleBuffer.Payload, content));
                    break;
                case "pcre":
                    PcrePattern pcre = PcrePattern.Parse(value);
                    patterns.Add((pcre.Buffer ?? sticky ?? RuleBuffer.Payload, pcre));
                    break;
                case "distance":
                    LastContent(contents, keyword).SetDistance((int)Number(value, keyword, -ushort.MaxValue, ushort.MaxValue));
                    break;
                case "within":
                    LastContent(contents, keyword).SetWithin((int)Number(value, keyword, 1, ushort.MaxValue));
                    break;
                case "bsize":
                    sizes.Add((sticky ?? (patterns.Count > 0 ? patterns[^1].Buffer : throw new RuleSyntaxException("bsize must follow a sticky buffer or a content")), RuleNumber.Parse(keyword, value, int.MaxValue)));
                    break;
                case "fast_pattern" or "prefilter":
                    break;
                case "decode-event":
                    decodeEvent = DecoderEvents.TryGetCode(value, out ushort code)
                        ? code
                        : throw new RuleSyntaxException($"decode-event: '{value}' is not an event this decoder raises; it raises {string.Join(", ", DecoderEvents.Names.Order(StringComparer.Ordinal))}");
                    break;
                case "stream-event":
                    streamEvent = StreamEvents.TryParse(value, out StreamEvent named)
                        ? named
                        : throw new RuleSyntaxException($"stream-event: '{value}' is not a Suricata stream event; known: {string.Join(", ", StreamEvents.All.Order(StringComparer.Ordinal))}");
                    break;
                case "requires":
                    if (RuleRequirements.Unmet(value) is { } unmet)
                    {
                        throw new RuleRequirementsUnmetException(unmet);
                    }

                    break;
                case "igmp.type":
                    igmpType = RuleNumber.Parse(keyword, value, byte.MaxValue, HexNumber);
                    break;
                case "igmp-csum":
                    igmpChecksum = value.Trim() switch
                    {
                        "valid" => true,
                        "invalid" => false,
                        _ => throw new RuleSyntaxException($"igmp-csum: '{value}' is not allowed; expected valid or invalid"),
                    };
                    break;
                case "ipopts":
                    ipOption = IpOptions.TryGetValue(value.Trim(), out int ipOptionType)
                        ? ipOptionType
                        : throw new RuleSyntaxException($"ipopts: '{value}' is not an option; expected {string.Join(", ", IpOptions.Keys)}");
                    break;
                case "icmp_id":
                    icmpId = RuleNumber.Parse(keyword, value, ushort.MaxValue);
                    break;
                case "icmp_seq":
                    icmpSequence = RuleNumber.Parse(keyword, value, ushort.MaxValue);
                    break;
                case "seq":
                    tcpSequence = RuleNumber.Parse(keyword, value, uint.MaxValue);
                    break;
                case "ack":
                    tcpAcknowledgement = RuleNumber.Parse(keyword, value, uint.MaxValue);
                    break;
                case "flags":
                    tcpFlags = TcpFlagsTest.Parse(value);
                    break;
                case var name when StickyBuffers.TryGetValue(name, out RuleBuffer buffer) && colon < 0:
                    sticky = buffer;
                    if (inspections.TrueForAll(i => i.Buffer != buffer))
                    {
                        inspections.Add(new BufferInspection(buffer));
                    }

                    break;
                case var name when ContentModifiers.TryGetValue(name, out RuleBuffer buffer) && colon < 0:
                    if (patterns.Count == 0 || patterns[^1].Pattern is not ContentPattern)
                    {
                        throw new RuleSyntaxException($"{name} must follow a content");
                    }

                    patterns[^1] = (buffer, patterns[^1].Pattern);
                    break;
                case "nocase":
                    LastContent(contents, keyword).SetNoCase();
                    break;
                case "startswith":
                    LastContent(contents, keyword).SetStartsWith();
                    break;
                case "endswith":
                    LastContent(contents, keyword).SetEndsWith();
                    break;
                case "offset":
                    LastContent(contents, keyword).SetOffset((int)Number(value, keyword, 0, ushort.MaxValue));
                    break;
                case "depth":
                    LastContent(contents, keyword).SetDepth((int)Number(value, keyword, 1, ushort.MaxValue));
                    break;
                case "sid":
                    sid = Number(value, keyword, 1);
                    break;
                case "rev":
                    rev = Number(value, keyword, 0);
                    break;
                case "gid":
                    gid = Number(value, keyword, 0);
                    break;
                case "priority":
                    priority = (int)Number(value, keyword, 1, 255);
                    break;
                case "classtype":
                    if (!ClassTypes.TryGetValue(value, out (string Category, int Severity) known))
                    {
                        throw new RuleSyntaxException($"classtype '{value}' is unknown; known: {string.Join(", ", ClassTypes.Keys)}");
                    }

                    (category, severity) = known;
                    break;
                case "bypass":
                    bypass = true;
                    break;
                case "flow":
                    (flowToServer, flowEstablished) = ParseFlow(value);
                    break;
                case "dsize":
                    payloadSize = RuleNumber.Parse(keyword, value, ushort.MaxValue);
                    break;
                case "ttl":
                    ttl = RuleNumber.Parse(keyword, value, byte.MaxValue);
                    break;
                case "ip_proto":
                    ipProtocol = RuleNumber.Parse(keyword, value, byte.MaxValue, ProtocolNumber);
                    break;
                case "itype":
                    icmpType = RuleNumber.Parse(keyword, value, byte.MaxValue);
                    break;
                case "icode":
                    icmpCode = RuleNumber.Parse(keyword, value, byte.MaxValue);
                    break;
                case "flowbits":
                    if (ParseFlowbit(value) is { } bit)
                    {
                        flowbits.Add(bit);
                    }
                    else
                    {
                        noAlert = true;
                    }

                    break;
                case "hostbits":
                    if (string.Equals(value.Trim(), "noalert", StringComparison.Ordinal))
                    {
                        noAlert = true;
                    }
                    else
                    {
                        hostbits.Add(HostbitCommand.Parse(value));
                    }

                    break;
                case "noalert":
                    noAlert = true;
                    break;
                case "metadata" or "reference" or "target":
                    break;
                case "tcp.session":
                    tcpSession = protocol == RuleProtocol.Tcp ? TcpSessionKeyword.Parse(value) : throw new RuleSyntaxException("tcp.session requires a TCP rule");
                    break;
                case "iprep":
                    reputationTests.Add(IpReputationTest.Parse(value, reputation));
                    break;
                case "alert" when colon < 0:
                    // The firewall's secondary alert, as a keyword.
                    firewall = firewall is not null ? firewall with { Alert = true } : throw new RuleSyntaxException("the 'alert' keyword is for firewall rules (a threat-detection rule's action says whether it alerts)");
                    break;
                default:
                    throw new RuleSyntaxException($"keyword '{keyword}' is not supported by this host (supported: {SupportedKeywords})");
            }
        }

        if (sid is null)
        {
            throw new RuleSyntaxException("the rule has no sid");
        }

        foreach ((RuleBuffer buffer, IRulePattern pattern) in patterns)
        {
            InspectionOf(inspections, buffer).Add(pattern);
        }

        foreach ((RuleBuffer buffer, RuleNumber bufferSize) in sizes)
        {
            InspectionOf(inspections, buffer).Size = bufferSize;
        }

        // An HTTP buffer on a tcp (or ip) rule makes it an HTTP rule, as in Suricata.
        if (appProtocol == AppProtocol.Unknown && inspections.Exists(i => i.Buffer is >= RuleBuffer.HttpUri and <= RuleBuffer.HttpResponseBody))
        {
            appProtocol = AppProtocol.Http;
        }
        else if (appProtocol is not (AppProtocol.Unknown or AppProtocol.Http) && inspections.Exists(i => i.Buffer is >= RuleBuffer.HttpUri and <= RuleBuffer.HttpResponseBody))
        {
            throw new RuleSyntaxException($"HTTP buffers cannot be inspected in a '{header[1]}' rule");
        }

        // So does dcerpc.stub_data a DCE/RPC rule.
        if (inspections.Exists(i => i.Buffer == RuleBuffer.DcerpcStubData))
        {
            appProtocol = appProtocol is AppProtocol.Unknown or AppProtocol.Dcerpc ? AppProtocol.Dcerpc : throw new RuleSyntaxException($"dcerpc.stub_data is inspected on DCE/RPC over TCP only, not in a '{header[1]}' rule");
        }

        return new Rule
        {
            Action = action,
            Protocol = protocol,
            Source = AddressSet.Parse(header[2], addressGroups),
            SourcePorts = PortSet.Parse(header[3], portGroups),
            Destination = AddressSet.Parse(header[5], addressGroups),
            DestinationPorts = PortSet.Parse(header[6], portGroups),
            Bidirectional = bidirectional,
            Contents = contents,
            Inspections = inspections,
            StreamContent = string.Equals(protocolName, "tcp-pkt", StringComparison.Ordinal) || payloadSize is not null || protocol is not (RuleProtocol.Tcp or RuleProtocol.Ip or RuleProtocol.Ipv4 or RuleProtocol.Ipv6) ? null : StreamContentOf(inspections),
            AppProtocol = appProtocol,
            TcpFlags = tcpFlags,
            TcpSequence = tcpSequence,
            TcpAcknowledgement = tcpAcknowledgement,
            IcmpId = icmpId,
            DecodeEvent = decodeEvent,
            StreamEvent = streamEvent,
            IgmpType = igmpType,
            IgmpChecksumValid = igmpChecksum,
            IpOption = ipOption,
            IcmpSequence = icmpSequence,
            Message = message,
            Sid = sid.Value,
            Rev = rev,
            Gid = gid,
            Category = category,
            Severity = priority ?? severity,
            Bypass = bypass,
            FlowToServer = flowToServer,
            FlowEstablished = flowEstablished,
            PayloadSize = payloadSize,
            Ttl = ttl,
            IpProtocol = ipProtocol,
            IcmpType = icmpType,
            IcmpCode = icmpCode,
            Flowbits = flowbits,
            Hostbits = hostbits,
            NoAlert = noAlert,
            Firewall = firewall,
            TcpSession = tcpSession,
            Reputation = reputationTests,
            Keywords = keywords,
            File = file,
            Line = line,
        };
    }

    /// <summary>The single floating content of a payload-only inspection (what <see cref="Rule.StreamContent"/> takes), else null.</summary>
    private static ContentPattern? StreamContentOf(List<BufferInspection> inspections) =>
        inspections is [{ Buffer: RuleBuffer.Payload, Size: null, Patterns: [ContentPattern { Negated: false, Relative: false, Offset: 0, Depth: 0, EndsWith: false, Bytes.Length: > 1 } content] }]
            ? content
            : null;

    private static BufferInspection InspectionOf(List<BufferInspection> inspections, RuleBuffer buffer)
    {
        BufferInspection? inspection = inspections.Find(i => i.Buffer == buffer);
        if (inspection is null)
        {
            inspection = new BufferInspection(buffer);
            inspections.Add(inspection);
        }

        return inspection;
    }

    private static ContentPattern LastContent(List<ContentPattern> contents, string keyword) =>
        contents.Count > 0 ? contents[^1] : throw new RuleSyntaxException($"{keyword} must follow a content");

    /// <summary>ipopts' names and the IPv4 option types they stand for (any: any option).</summary>
    private static readonly Dictionary<string, int> IpOptions = new(StringComparer.Ordinal)
    {
        ["rr"] = 7, ["eol"] = 0, ["nop"] = 1, ["ts"] = 68, ["sec"] = 130, ["esec"] = 133, ["lsrr"] = 131, ["ssrr"] = 137, ["satid"] = 136, ["rtralt"] = 148, ["any"] = -1,
    };

    private static long? HexNumber(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long value) ? value : null;

    private static long? ProtocolNumber(string name) => ProtocolNames.TryGetValue(name, out long number) ? number : null;

    /// <summary><c>flow:</c> options: direction and state; the stream/packet and fragment options restrict nothing here (every packet's payload is inspected as it comes).</summary>
    private static (bool? ToServer, bool? Established) ParseFlow(string value)
    {
        bool? toServer = null;
        bool? established = null;
        foreach (string option in value.Split(',', StringSplitOptions.TrimEntries))
        {
            switch (option)
            {
                case "to_server" or "from_client":
                    toServer = toServer is false ? throw new RuleSyntaxException("flow: to_server and to_client cannot both be given") : true;
                    break;
                case "to_client" or "from_server":
                    toServer = toServer is true ? throw new RuleSyntaxException("flow: to_server and to_client cannot both be given") : false;
                    break;
                case "established":
                    established = true;
                    break;
                case "not_established":
                    established = false;
                    break;
                case "stateless" or "only_stream" or "no_stream" or "only_frag" or "no_frag":
                    break;
                default:
                    throw new RuleSyntaxException($"flow: '{option}' is not supported; expected established, not_established, stateless, to_server, to_client, from_server, from_client, only_stream, no_stream");
            }
        }

        return (toServer, established);
    }

    /// <summary><c>flowbits:</c> a command on one named bit, or null for <c>noalert</c>.</summary>
    private static FlowbitCommand? ParseFlowbit(string value)
    {
        string[] parts = value.Split(',', 2, StringSplitOptions.TrimEntries);
        if (parts is ["noalert"])
        {
            return null;
        }

        if (parts.Length != 2 || parts[1].Length == 0)
        {
            throw new RuleSyntaxException($"flowbits: '{value}' is not allowed; expected set|unset|toggle|isset|isnotset,<name> or noalert");
        }

        FlowbitCommand.Op command = FlowbitCommand.ParseOp("flowbits", parts[0], "noalert");
        bool any = parts[1].Contains('|', StringComparison.Ordinal);
        if (any && parts[1].Contains('&', StringComparison.Ordinal))
        {
            throw new RuleSyntaxException($"flowbits: '{parts[1]}' mixes | and &; use one of them");
        }

        if (any && command is not (FlowbitCommand.Op.IsSet or FlowbitCommand.Op.IsNotSet))
        {
            throw new RuleSyntaxException($"flowbits: '{parts[0]},{parts[1]}': | (any of) is only for isset and isnotset; use & to {parts[0]} several");
        }

        string[] names = parts[1].Split(any ? '|' : '&', StringSplitOptions.TrimEntries);
        if (Array.Exists(names, n => n.Length == 0))
        {
            throw new RuleSyntaxException($"flowbits: '{parts[1]}' has an empty name");
        }

        return new FlowbitCommand(command, names, any);
    }

    private static List<string> SplitHeader(string header)
    {
        var fields = new List<string>();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= header.Length; i++)
        {
            char c = i < header.Length ? header[i] : ' ';
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                depth--;
            }

            if (char.IsWhiteSpace(c) && depth == 0)
            {
                if (start >= 0)
                {
                    fields.Add(header[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return fields;
    }

    private static string Unquote(string value, string keyword)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            throw new RuleSyntaxException($"{keyword} must be a quoted string");
        }

        var text = new System.Text.StringBuilder();
        string inner = value[1..^1];
        for (int i = 0; i < inner.Length; i++)
        {
            text.Append(inner[i] == '\\' && i + 1 < inner.Length ? inner[++i] : inner[i]);
        }

        return text.ToString();
    }

    private static long Number(string value, string keyword, long min, long max = uint.MaxValue)
    {
        if (!long.TryParse(value, min < 0 ? NumberStyles.AllowLeadingSign : NumberStyles.None, CultureInfo.InvariantCulture, out long number) || number < min || number > max)
        {
            throw new RuleSyntaxException($"{keyword}: '{value}' is not allowed; expected an integer {min}..{max}");
        }

        return number;
    }
}
