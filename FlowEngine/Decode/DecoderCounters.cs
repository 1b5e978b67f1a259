namespace FlowEngine.Decode;

/// <summary>
/// The decoder's and defragmenter's counters of one worker: plain fields, no atomics (one instance
/// per worker thread; merge them with <see cref="Add"/> for a total). Names follow Suricata's
/// <c>decoder.*</c>, <c>decoder.event.*</c> and <c>defrag.*</c> stats where Suricata has one.
/// </summary>
public sealed class DecoderCounters
{
    private static readonly string[] Names = BuildNames();

    // One long per counter, indexed by DecoderCounter: the hot path increments by index.
    private readonly long[] _values = new long[(int)DecoderCounter.Count];

    /// <summary>Packets given to the decoder (<c>decoder.pkts</c>).</summary>
    public long Packets => _values[(int)DecoderCounter.Packets];

    /// <summary>Captured bytes given to the decoder (<c>decoder.bytes</c>).</summary>
    public long Bytes => _values[(int)DecoderCounter.Bytes];

    /// <summary>Packets that could not be fully decoded (<c>decoder.invalid</c>).</summary>
    public long Invalid => _values[(int)DecoderCounter.Invalid];

    /// <summary>Decoder events of all kinds (the sum of <c>decoder.event.*</c>).</summary>
    public long DecoderErrors
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < Names.Length; i++)
            {
                if (Names[i].StartsWith("decoder.event.", StringComparison.Ordinal))
                {
                    sum += _values[i];
                }
            }

            return sum;
        }
    }

    /// <summary>IPv4 and IPv6 fragments handed to the defragmenter.</summary>
    public long Fragments => _values[(int)DecoderCounter.DefragIPv4Fragments] + _values[(int)DecoderCounter.DefragIPv6Fragments];

    /// <summary>IPv4 and IPv6 datagrams reassembled.</summary>
    public long Reassembled => _values[(int)DecoderCounter.DefragIPv4Reassembled] + _values[(int)DecoderCounter.DefragIPv6Reassembled];

    /// <summary>The raw values, indexed by <see cref="DecoderCounter"/> (the decoder's hot path).</summary>
    internal long[] Values => _values;

    /// <summary>One counter's value.</summary>
    internal long this[DecoderCounter counter] => Value((int)counter);

    /// <summary>The stats name of a counter, e.g. <c>decoder.ipv4</c>.</summary>
    internal static string NameOf(DecoderCounter counter) => Names[(int)counter];

    /// <summary>One counter by its stats name, e.g. <c>decoder.tcp</c>.</summary>
    /// <param name="name">A name as <see cref="Enumerate"/> yields it.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">No counter has that name.</exception>
    public long Get(string name)
    {
        int index = Array.IndexOf(Names, name);
        if (index < 0)
        {
            throw new ArgumentException($"no decoder counter is named '{name}'", nameof(name));
        }

        return Value(index);
    }

    /// <summary>Adds another worker's counters to these (for totals).</summary>
    /// <param name="other">The counters to add; not changed.</param>
    public void Add(DecoderCounters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i] = i == (int)DecoderCounter.MaxPacketSize ? Math.Max(_values[i], other._values[i]) : _values[i] + other._values[i];
        }
    }

    /// <summary>Every counter with its stats name, in a fixed order (zeros included).</summary>
    /// <returns>Name and value pairs.</returns>
    public IEnumerable<KeyValuePair<string, long>> Enumerate()
    {
        for (int i = 0; i < _values.Length; i++)
        {
            yield return new KeyValuePair<string, long>(Names[i], Value(i));
        }
    }

    /// <summary>A counter's value; the average packet size is derived from packets and bytes, as Suricata's.</summary>
    private long Value(int index) => index == (int)DecoderCounter.AveragePacketSize
        ? (Packets == 0 ? 0 : Bytes / Packets)
        : _values[index];

    private static string[] BuildNames()
    {
        var names = new string[(int)DecoderCounter.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Name((DecoderCounter)i);
        }

        return names;
    }

    private static string Name(DecoderCounter counter) => counter switch
    {
        DecoderCounter.Packets => "decoder.pkts",
        DecoderCounter.Bytes => "decoder.bytes",
        DecoderCounter.AveragePacketSize => "decoder.avg_pkt_size",
        DecoderCounter.MaxPacketSize => "decoder.max_pkt_size",
        DecoderCounter.Invalid => "decoder.invalid",
        DecoderCounter.IPv4 => "decoder.ipv4",
        DecoderCounter.IPv6 => "decoder.ipv6",
        DecoderCounter.Ethernet => "decoder.ethernet",
        DecoderCounter.Raw => "decoder.raw",
        DecoderCounter.Null => "decoder.null",
        DecoderCounter.Sll => "decoder.sll",
        DecoderCounter.Sll2 => "decoder.sll2",
        DecoderCounter.Chdlc => "decoder.chdlc",
        DecoderCounter.Tcp => "decoder.tcp",
        DecoderCounter.TcpSyn => "tcp.syn",
        DecoderCounter.TcpSynAck => "tcp.synack",
        DecoderCounter.TcpRst => "tcp.rst",
        DecoderCounter.Udp => "decoder.udp",
        DecoderCounter.Igmp => "decoder.igmp",
        DecoderCounter.Sctp => "decoder.sctp",
        DecoderCounter.Esp => "decoder.esp",
        DecoderCounter.Icmpv4 => "decoder.icmpv4",
        DecoderCounter.Icmpv6 => "decoder.icmpv6",
        DecoderCounter.Ppp => "decoder.ppp",
        DecoderCounter.Pppoe => "decoder.pppoe",
        DecoderCounter.Gre => "decoder.gre",
        DecoderCounter.Vlan => "decoder.vlan",
        DecoderCounter.VlanQinq => "decoder.vlan_qinq",
        DecoderCounter.VlanQinqinq => "decoder.vlan_qinqinq",
        DecoderCounter.Etag => "decoder.etag",
        DecoderCounter.Vntag => "decoder.vntag",
        DecoderCounter.Nsh => "decoder.nsh",
        DecoderCounter.Mpls => "decoder.mpls",
        DecoderCounter.Erspan => "decoder.erspan",
        DecoderCounter.Vxlan => "decoder.vxlan",
        DecoderCounter.Geneve => "decoder.geneve",
        DecoderCounter.Teredo => "decoder.teredo",
        DecoderCounter.IPv4InIPv6 => "decoder.ipv4_in_ipv6",
        DecoderCounter.IPv6InIPv6 => "decoder.ipv6_in_ipv6",
        DecoderCounter.IPv4InIPv4 => "decoder.ipv4_in_ipv4",
        DecoderCounter.IPv6InIPv4 => "decoder.ipv6_in_ipv4",
        DecoderCounter.Arp => "decoder.arp",
        DecoderCounter.UnknownEtherType => "decoder.unknown_ethertype",
        DecoderCounter.TooManyLayers => "decoder.too_many_layers",
        DecoderCounter.UnsupportedLinkType => "decoder.event.link.unsupported_type",
        DecoderCounter.InternalError => "decoder.event.internal_error",
        DecoderCounter.EthernetPktTooSmall => "decoder.event.ethernet.pkt_too_small",
        DecoderCounter.EthernetUnknownEtherType => "decoder.event.ethernet.unknown_ethertype",
        DecoderCounter.SllPktTooSmall => "decoder.event.sll.pkt_too_small",
        DecoderCounter.ChdlcPktTooSmall => "decoder.event.chdlc.pkt_too_small",
        DecoderCounter.LtnullPktTooSmall => "decoder.event.ltnull.pkt_too_small",
        DecoderCounter.LtnullUnsupportedType => "decoder.event.ltnull.unsupported_type",
        DecoderCounter.IprawInvalidIpVersion => "decoder.event.ipraw.invalid_ip_version",
        DecoderCounter.VlanHeaderTooSmall => "decoder.event.vlan.header_too_small",
        DecoderCounter.EtagHeaderTooSmall => "decoder.event.etag.header_too_small",
        DecoderCounter.VntagHeaderTooSmall => "decoder.event.vntag.header_too_small",
        DecoderCounter.NshHeaderTooSmall => "decoder.event.nsh.header_too_small",
        DecoderCounter.NshUnsupportedVersion => "decoder.event.nsh.unsupported_version",
        DecoderCounter.NshBadHeaderLength => "decoder.event.nsh.bad_header_length",
        DecoderCounter.NshReservedType => "decoder.event.nsh.reserved_type",
        DecoderCounter.NshUnsupportedType => "decoder.event.nsh.unsupported_type",
        DecoderCounter.NshUnknownPayload => "decoder.event.nsh.unknown_payload",
        DecoderCounter.VlanTooManyLayers => "decoder.event.vlan.too_many_layers",
        DecoderCounter.MplsHeaderTooSmall => "decoder.event.mpls.header_too_small",
        DecoderCounter.MplsPktTooSmall => "decoder.event.mpls.pkt_too_small",
        DecoderCounter.MplsUnknownPayloadType => "decoder.event.mpls.unknown_payload_type",
        DecoderCounter.PppoePktTooSmall => "decoder.event.pppoe.pkt_too_small",
        DecoderCounter.PppoeWrongCode => "decoder.event.pppoe.wrong_code",
        DecoderCounter.PppPktTooSmall => "decoder.event.ppp.pkt_too_small",
        DecoderCounter.PppUnsupportedProtocol => "decoder.event.ppp.unsup_proto",
        DecoderCounter.IPv4PktTooSmall => "decoder.event.ipv4.pkt_too_small",
        DecoderCounter.IPv4HlenTooSmall => "decoder.event.ipv4.hlen_too_small",
        DecoderCounter.IPv4IplenSmallerThanHlen => "decoder.event.ipv4.iplen_smaller_than_hlen",
        DecoderCounter.IPv4TruncPkt => "decoder.event.ipv4.trunc_pkt",
        DecoderCounter.IPv4OptInvalidLen => "decoder.event.ipv4.opt_invalid_len",
        DecoderCounter.IPv4OptMalformed => "decoder.event.ipv4.opt_malformed",
        DecoderCounter.IPv4OptInvalid => "decoder.event.ipv4.opt_invalid",
        DecoderCounter.IPv4OptPadRequired => "decoder.event.ipv4.opt_pad_required",
        DecoderCounter.IPv4OptEolRequired => "decoder.event.ipv4.opt_eol_required",
        DecoderCounter.IPv4OptDuplicate => "decoder.event.ipv4.opt_duplicate",
        DecoderCounter.IPv4OptUnknown => "decoder.event.ipv4.opt_unknown",
        DecoderCounter.IPv4WrongIpVersion => "decoder.event.ipv4.wrong_ip_version",
        DecoderCounter.IPv4WithIcmpv6 => "decoder.event.ipv4.icmpv6",
        DecoderCounter.IPv4FragPktTooLarge => "decoder.event.ipv4.frag_pkt_too_large",
        DecoderCounter.IPv4FragOverlap => "decoder.event.ipv4.frag_overlap",
        DecoderCounter.IPv4FragIgnored => "decoder.event.ipv4.frag_ignored",
        DecoderCounter.IPv6PktTooSmall => "decoder.event.ipv6.pkt_too_small",
        DecoderCounter.IPv6TruncPkt => "decoder.event.ipv6.trunc_pkt",
        DecoderCounter.IPv6TruncExthdr => "decoder.event.ipv6.trunc_exthdr",
        DecoderCounter.IPv6ExthdrDuplFh => "decoder.event.ipv6.exthdr_dupl_fh",
        DecoderCounter.IPv6ExthdrUselessFh => "decoder.event.ipv6.exthdr_useless_fh",
        DecoderCounter.IPv6ExthdrDuplRh => "decoder.event.ipv6.exthdr_dupl_rh",
        DecoderCounter.IPv6ExthdrDuplHh => "decoder.event.ipv6.exthdr_dupl_hh",
        DecoderCounter.IPv6ExthdrDuplDh => "decoder.event.ipv6.exthdr_dupl_dh",
        DecoderCounter.IPv6ExthdrDuplAh => "decoder.event.ipv6.exthdr_dupl_ah",
        DecoderCounter.IPv6ExthdrInvalidOptlen => "decoder.event.ipv6.exthdr_invalid_optlen",
        DecoderCounter.IPv6WrongIpVersion => "decoder.event.ipv6.wrong_ip_version",
        DecoderCounter.IPv6ExthdrAhResNotNull => "decoder.event.ipv6.exthdr_ah_res_not_null",
        DecoderCounter.IPv6RhType0 => "decoder.event.ipv6.rh_type_0",
        DecoderCounter.IPv6FhNonZeroReservedField => "decoder.event.ipv6.fh_non_zero_reserved_field",
        DecoderCounter.IPv6DataAfterNoneHeader => "decoder.event.ipv6.data_after_none_header",
        DecoderCounter.IPv6WithIcmpv4 => "decoder.event.ipv6.icmpv4",
        DecoderCounter.IPv6FragPktTooLarge => "decoder.event.ipv6.frag_pkt_too_large",
        DecoderCounter.IPv6FragOverlap => "decoder.event.ipv6.frag_overlap",
        DecoderCounter.IPv6FragInvalidLength => "decoder.event.ipv6.frag_invalid_length",
        DecoderCounter.IPv6FragIgnored => "decoder.event.ipv6.frag_ignored",
        DecoderCounter.IPv6JumboWithoutOption => "decoder.event.ipv6.jumbo_without_option",
        DecoderCounter.IPv4InIPv6TooSmall => "decoder.event.ipv6.ipv4_in_ipv6_too_small",
        DecoderCounter.IPv4InIPv6WrongVersion => "decoder.event.ipv6.ipv4_in_ipv6_wrong_version",
        DecoderCounter.IPv6InIPv6TooSmall => "decoder.event.ipv6.ipv6_in_ipv6_too_small",
        DecoderCounter.IPv6InIPv6WrongVersion => "decoder.event.ipv6.ipv6_in_ipv6_wrong_version",
        DecoderCounter.TcpPktTooSmall => "decoder.event.tcp.pkt_too_small",
        DecoderCounter.TcpHlenTooSmall => "decoder.event.tcp.hlen_too_small",
        DecoderCounter.TcpInvalidOptlen => "decoder.event.tcp.invalid_optlen",
        DecoderCounter.TcpOptInvalidLen => "decoder.event.tcp.opt_invalid_len",
        DecoderCounter.TcpOptDuplicate => "decoder.event.tcp.opt_duplicate",
        DecoderCounter.UdpPktTooSmall => "decoder.event.udp.pkt_too_small",
        DecoderCounter.UdpHlenTooSmall => "decoder.event.udp.hlen_too_small",
        DecoderCounter.UdpHlenInvalid => "decoder.event.udp.hlen_invalid",
        DecoderCounter.UdpLenInvalid => "decoder.event.udp.len_invalid",
        DecoderCounter.IgmpPktTooSmall => "decoder.event.igmp.pkt_too_small",
        DecoderCounter.IgmpV3PktTooSmall => "decoder.event.igmp.v3_pkt_too_small",
        DecoderCounter.IgmpMalformed => "decoder.event.igmp.malformed",
        DecoderCounter.SctpPktTooSmall => "decoder.event.sctp.pkt_too_small",
        DecoderCounter.EspPktTooSmall => "decoder.event.esp.pkt_too_small",
        DecoderCounter.Icmpv4PktTooSmall => "decoder.event.icmpv4.pkt_too_small",
        DecoderCounter.Icmpv4UnknownType => "decoder.event.icmpv4.unknown_type",
        DecoderCounter.Icmpv4UnknownCode => "decoder.event.icmpv4.unknown_code",
        DecoderCounter.Icmpv4IPv4TruncPkt => "decoder.event.icmpv4.ipv4_trunc_pkt",
        DecoderCounter.Icmpv4IPv4UnknownVersion => "decoder.event.icmpv4.ipv4_unknown_ver",
        DecoderCounter.Icmpv6PktTooSmall => "decoder.event.icmpv6.pkt_too_small",
        DecoderCounter.Icmpv6IPv6TruncPkt => "decoder.event.icmpv6.ipv6_trunc_pkt",
        DecoderCounter.Icmpv6IPv6UnknownVersion => "decoder.event.icmpv6.ipv6_unknown_version",
        DecoderCounter.GrePktTooSmall => "decoder.event.gre.pkt_too_small",
        DecoderCounter.GreWrongVersion => "decoder.event.gre.wrong_version",
        DecoderCounter.GreVersion0HdrTooBig => "decoder.event.gre.version0_hdr_too_big",
        DecoderCounter.GreVersion0MalformedSreHdr => "decoder.event.gre.version0_malformed_sre_hdr",
        DecoderCounter.GreVersion1Chksum => "decoder.event.gre.version1_chksum",
        DecoderCounter.GreVersion1Route => "decoder.event.gre.version1_route",
        DecoderCounter.GreVersion1NoKey => "decoder.event.gre.version1_no_key",
        DecoderCounter.GreVersion1WrongProtocol => "decoder.event.gre.version1_wrong_protocol",
        DecoderCounter.GreVersion1HdrTooBig => "decoder.event.gre.version1_hdr_too_big",
        DecoderCounter.ErspanHeaderTooSmall => "decoder.event.erspan.header_too_small",
        DecoderCounter.ErspanUnsupportedVersion => "decoder.event.erspan.unsupported_version",
        DecoderCounter.VxlanUnknownPayloadType => "decoder.event.vxlan.unknown_payload_type",
        DecoderCounter.GeneveUnknownPayloadType => "decoder.event.geneve.unknown_payload_type",
        DecoderCounter.DefragIPv4Fragments => "defrag.ipv4.fragments",
        DecoderCounter.DefragIPv4Reassembled => "defrag.ipv4.reassembled",
        DecoderCounter.DefragIPv6Fragments => "defrag.ipv6.fragments",
        DecoderCounter.DefragIPv6Reassembled => "defrag.ipv6.reassembled",
        DecoderCounter.DefragMaxTrackersReached => "defrag.max_trackers_reached",
        DecoderCounter.DefragMaxFragsReached => "defrag.max_frags_reached",
        DecoderCounter.DefragMemcapReached => "defrag.memcap_reached",
        DecoderCounter.DefragTimeouts => "defrag.timeouts",
        _ => throw new ArgumentOutOfRangeException(nameof(counter), counter, "unnamed decoder counter"),
    };
}
