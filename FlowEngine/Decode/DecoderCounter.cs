namespace FlowEngine.Decode;

/// <summary>
/// Index of one decoder or defragmenter counter in <see cref="DecoderCounters"/>. Names (Suricata's
/// <c>decoder.*</c>, <c>decoder.event.*</c> and <c>defrag.*</c> where one exists) come from
/// <see cref="DecoderCounters.NameOf"/>.
/// </summary>
internal enum DecoderCounter
{
    /// <summary><c>decoder.pkts</c>.</summary>
    Packets,

    /// <summary><c>decoder.bytes</c>.</summary>
    Bytes,

    /// <summary><c>decoder.invalid</c>.</summary>
    Invalid,

    /// <summary><c>decoder.avg_pkt_size</c>: bytes / packets, derived when read (its slot stays 0).</summary>
    AveragePacketSize,

    /// <summary><c>decoder.max_pkt_size</c>: the largest packet's captured length (merged by maximum, not sum).</summary>
    MaxPacketSize,

    /// <summary><c>decoder.ipv4</c>.</summary>
    IPv4,

    /// <summary><c>decoder.ipv6</c>.</summary>
    IPv6,

    /// <summary><c>decoder.ethernet</c>.</summary>
    Ethernet,

    /// <summary><c>decoder.raw</c>.</summary>
    Raw,

    /// <summary><c>decoder.null</c>.</summary>
    Null,

    /// <summary><c>decoder.sll</c>.</summary>
    Sll,

    /// <summary><c>decoder.sll2</c>.</summary>
    Sll2,

    /// <summary><c>decoder.chdlc</c>: Cisco HDLC frames.</summary>
    Chdlc,

    /// <summary><c>decoder.tcp</c>.</summary>
    Tcp,

    /// <summary><c>tcp.syn</c> (Suricata's name).</summary>
    TcpSyn,

    /// <summary><c>tcp.synack</c> (Suricata's name).</summary>
    TcpSynAck,

    /// <summary><c>tcp.rst</c> (Suricata's name).</summary>
    TcpRst,

    /// <summary><c>decoder.udp</c>.</summary>
    Udp,

    /// <summary><c>decoder.igmp</c>.</summary>
    Igmp,

    /// <summary><c>decoder.sctp</c>.</summary>
    Sctp,

    /// <summary><c>decoder.esp</c>.</summary>
    Esp,

    /// <summary><c>decoder.icmpv4</c>.</summary>
    Icmpv4,

    /// <summary><c>decoder.icmpv6</c>.</summary>
    Icmpv6,

    /// <summary><c>decoder.ppp</c>.</summary>
    Ppp,

    /// <summary><c>decoder.pppoe</c>.</summary>
    Pppoe,

    /// <summary><c>decoder.gre</c>.</summary>
    Gre,

    /// <summary><c>decoder.vlan</c>.</summary>
    Vlan,

    /// <summary><c>decoder.vlan_qinq</c>.</summary>
    VlanQinq,

    /// <summary><c>decoder.vlan_qinqinq</c>.</summary>
    VlanQinqinq,

    /// <summary><c>decoder.etag</c>: IEEE 802.1BR E-Tag headers.</summary>
    Etag,

    /// <summary><c>decoder.vntag</c>: Cisco VN-Tag headers.</summary>
    Vntag,

    /// <summary><c>decoder.nsh</c>: Network Service Headers (RFC 8300).</summary>
    Nsh,

    /// <summary><c>decoder.mpls</c>.</summary>
    Mpls,

    /// <summary><c>decoder.erspan</c>.</summary>
    Erspan,

    /// <summary><c>decoder.vxlan</c>.</summary>
    Vxlan,

    /// <summary><c>decoder.geneve</c>.</summary>
    Geneve,

    /// <summary><c>decoder.teredo</c>.</summary>
    Teredo,

    /// <summary><c>decoder.ipv4_in_ipv6</c>.</summary>
    IPv4InIPv6,

    /// <summary><c>decoder.ipv6_in_ipv6</c>.</summary>
    IPv6InIPv6,

    /// <summary><c>decoder.ipv4_in_ipv4</c>.</summary>
    IPv4InIPv4,

    /// <summary><c>decoder.ipv6_in_ipv4</c>.</summary>
    IPv6InIPv4,

    /// <summary><c>decoder.arp</c>.</summary>
    Arp,

    /// <summary><c>decoder.unknown_ethertype</c>.</summary>
    UnknownEtherType,

    /// <summary><c>decoder.too_many_layers</c>.</summary>
    TooManyLayers,

    /// <summary><c>decoder.event.link.unsupported_type</c>.</summary>
    UnsupportedLinkType,

    /// <summary><c>decoder.event.internal_error</c>.</summary>
    InternalError,

    /// <summary><c>decoder.event.ethernet.pkt_too_small</c>.</summary>
    EthernetPktTooSmall,

    /// <summary><c>decoder.event.ethernet.unknown_ethertype</c>: the event raised with <see cref="UnknownEtherType"/>.</summary>
    EthernetUnknownEtherType,

    /// <summary><c>decoder.event.sll.pkt_too_small</c>.</summary>
    SllPktTooSmall,

    /// <summary><c>decoder.event.chdlc.pkt_too_small</c>.</summary>
    ChdlcPktTooSmall,

    /// <summary><c>decoder.event.ltnull.pkt_too_small</c>.</summary>
    LtnullPktTooSmall,

    /// <summary><c>decoder.event.ltnull.unsupported_type</c>.</summary>
    LtnullUnsupportedType,

    /// <summary><c>decoder.event.ipraw.invalid_ip_version</c>.</summary>
    IprawInvalidIpVersion,

    /// <summary><c>decoder.event.vlan.header_too_small</c>.</summary>
    VlanHeaderTooSmall,

    /// <summary><c>decoder.event.etag.header_too_small</c>.</summary>
    EtagHeaderTooSmall,

    /// <summary><c>decoder.event.vntag.header_too_small</c>.</summary>
    VntagHeaderTooSmall,

    /// <summary><c>decoder.event.nsh.header_too_small</c>.</summary>
    NshHeaderTooSmall,

    /// <summary><c>decoder.event.nsh.unsupported_version</c>.</summary>
    NshUnsupportedVersion,

    /// <summary><c>decoder.event.nsh.bad_header_length</c>.</summary>
    NshBadHeaderLength,

    /// <summary><c>decoder.event.nsh.reserved_type</c>.</summary>
    NshReservedType,

    /// <summary><c>decoder.event.nsh.unsupported_type</c>.</summary>
    NshUnsupportedType,

    /// <summary><c>decoder.event.nsh.unknown_payload</c>.</summary>
    NshUnknownPayload,

    /// <summary><c>decoder.event.vlan.too_many_layers</c>.</summary>
    VlanTooManyLayers,

    /// <summary><c>decoder.event.mpls.header_too_small</c>.</summary>
    MplsHeaderTooSmall,

    /// <summary><c>decoder.event.mpls.pkt_too_small</c>.</summary>
    MplsPktTooSmall,

    /// <summary><c>decoder.event.mpls.unknown_payload_type</c>.</summary>
    MplsUnknownPayloadType,

    /// <summary><c>decoder.event.pppoe.pkt_too_small</c>.</summary>
    PppoePktTooSmall,

    /// <summary><c>decoder.event.pppoe.wrong_code</c>.</summary>
    PppoeWrongCode,

    /// <summary><c>decoder.event.ppp.pkt_too_small</c>.</summary>
    PppPktTooSmall,

    /// <summary><c>decoder.event.ppp.unsup_proto</c>.</summary>
    PppUnsupportedProtocol,

    /// <summary><c>decoder.event.ipv4.pkt_too_small</c>.</summary>
    IPv4PktTooSmall,

    /// <summary><c>decoder.event.ipv4.hlen_too_small</c>.</summary>
    IPv4HlenTooSmall,

    /// <summary><c>decoder.event.ipv4.iplen_smaller_than_hlen</c>.</summary>
    IPv4IplenSmallerThanHlen,

    /// <summary><c>decoder.event.ipv4.trunc_pkt</c>.</summary>
    IPv4TruncPkt,

    /// <summary><c>decoder.event.ipv4.opt_invalid_len</c>.</summary>
    IPv4OptInvalidLen,

    /// <summary><c>decoder.event.ipv4.opt_malformed</c>.</summary>
    IPv4OptMalformed,

    /// <summary><c>decoder.event.ipv4.opt_invalid</c>: an option kind Suricata does not know.</summary>
    IPv4OptInvalid,

    /// <summary><c>decoder.event.ipv4.opt_pad_required</c>: the options are not a multiple of 8 bytes.</summary>
    IPv4OptPadRequired,

    /// <summary><c>decoder.event.ipv4.opt_eol_required</c>: one byte left after the last option and no end-of-list.</summary>
    IPv4OptEolRequired,

    /// <summary><c>decoder.event.ipv4.opt_duplicate</c>.</summary>
    IPv4OptDuplicate,

    /// <summary><c>decoder.event.ipv4.opt_unknown</c>.</summary>
    IPv4OptUnknown,

    /// <summary><c>decoder.event.ipv4.wrong_ip_version</c>.</summary>
    IPv4WrongIpVersion,

    /// <summary><c>decoder.event.ipv4.icmpv6</c>.</summary>
    IPv4WithIcmpv6,

    /// <summary><c>decoder.event.ipv4.frag_pkt_too_large</c>.</summary>
    IPv4FragPktTooLarge,

    /// <summary><c>decoder.event.ipv4.frag_overlap</c>.</summary>
    IPv4FragOverlap,

    /// <summary><c>decoder.event.ipv4.frag_ignored</c>.</summary>
    IPv4FragIgnored,

    /// <summary><c>decoder.event.ipv6.pkt_too_small</c>.</summary>
    IPv6PktTooSmall,

    /// <summary><c>decoder.event.ipv6.trunc_pkt</c>.</summary>
    IPv6TruncPkt,

    /// <summary><c>decoder.event.ipv6.trunc_exthdr</c>.</summary>
    IPv6TruncExthdr,

    /// <summary><c>decoder.event.ipv6.exthdr_dupl_fh</c>.</summary>
    IPv6ExthdrDuplFh,

    /// <summary><c>decoder.event.ipv6.exthdr_useless_fh</c>.</summary>
    IPv6ExthdrUselessFh,

    /// <summary><c>decoder.event.ipv6.exthdr_dupl_rh</c>.</summary>
    IPv6ExthdrDuplRh,

    /// <summary><c>decoder.event.ipv6.exthdr_dupl_hh</c>.</summary>
    IPv6ExthdrDuplHh,

    /// <summary><c>decoder.event.ipv6.exthdr_dupl_dh</c>.</summary>
    IPv6ExthdrDuplDh,

    /// <summary><c>decoder.event.ipv6.exthdr_dupl_ah</c>.</summary>
    IPv6ExthdrDuplAh,

    /// <summary><c>decoder.event.ipv6.exthdr_invalid_optlen</c>.</summary>
    IPv6ExthdrInvalidOptlen,

    /// <summary><c>decoder.event.ipv6.wrong_ip_version</c>.</summary>
    IPv6WrongIpVersion,

    /// <summary><c>decoder.event.ipv6.exthdr_ah_res_not_null</c>.</summary>
    IPv6ExthdrAhResNotNull,

    /// <summary><c>decoder.event.ipv6.rh_type_0</c>.</summary>
    IPv6RhType0,

    /// <summary><c>decoder.event.ipv6.fh_non_zero_reserved_field</c>.</summary>
    IPv6FhNonZeroReservedField,

    /// <summary><c>decoder.event.ipv6.data_after_none_header</c>.</summary>
    IPv6DataAfterNoneHeader,

    /// <summary><c>decoder.event.ipv6.icmpv4</c>.</summary>
    IPv6WithIcmpv4,

    /// <summary><c>decoder.event.ipv6.frag_pkt_too_large</c>.</summary>
    IPv6FragPktTooLarge,

    /// <summary><c>decoder.event.ipv6.frag_overlap</c>.</summary>
    IPv6FragOverlap,

    /// <summary><c>decoder.event.ipv6.frag_invalid_length</c>.</summary>
    IPv6FragInvalidLength,

    /// <summary><c>decoder.event.ipv6.frag_ignored</c>.</summary>
    IPv6FragIgnored,

    /// <summary><c>decoder.event.ipv6.jumbo_without_option</c>.</summary>
    IPv6JumboWithoutOption,

    /// <summary><c>decoder.event.ipv6.ipv4_in_ipv6_too_small</c>.</summary>
    IPv4InIPv6TooSmall,

    /// <summary><c>decoder.event.ipv6.ipv4_in_ipv6_wrong_version</c>.</summary>
    IPv4InIPv6WrongVersion,

    /// <summary><c>decoder.event.ipv6.ipv6_in_ipv6_too_small</c>.</summary>
    IPv6InIPv6TooSmall,

    /// <summary><c>decoder.event.ipv6.ipv6_in_ipv6_wrong_version</c>.</summary>
    IPv6InIPv6WrongVersion,

    /// <summary><c>decoder.event.tcp.pkt_too_small</c>.</summary>
    TcpPktTooSmall,

    /// <summary><c>decoder.event.tcp.hlen_too_small</c>.</summary>
    TcpHlenTooSmall,

    /// <summary><c>decoder.event.tcp.invalid_optlen</c>.</summary>
    TcpInvalidOptlen,

    /// <summary><c>decoder.event.tcp.opt_invalid_len</c>.</summary>
    TcpOptInvalidLen,

    /// <summary><c>decoder.event.tcp.opt_duplicate</c>.</summary>
    TcpOptDuplicate,

    /// <summary><c>decoder.event.udp.pkt_too_small</c>.</summary>
    UdpPktTooSmall,

    /// <summary><c>decoder.event.udp.hlen_too_small</c>.</summary>
    UdpHlenTooSmall,

    /// <summary><c>decoder.event.udp.hlen_invalid</c>.</summary>
    UdpHlenInvalid,

    /// <summary><c>decoder.event.udp.len_invalid</c>: the header's length field is below the header's 8 bytes.</summary>
    UdpLenInvalid,

    /// <summary><c>decoder.event.igmp.pkt_too_small</c>: less than the 8-byte IGMP header.</summary>
    IgmpPktTooSmall,

    /// <summary><c>decoder.event.igmp.v3_pkt_too_small</c>: a query longer than 8 bytes but shorter than IGMPv3's 12.</summary>
    IgmpV3PktTooSmall,

    /// <summary><c>decoder.event.igmp.malformed</c>: an IGMPv3 report whose group records do not fit the message.</summary>
    IgmpMalformed,

    /// <summary><c>decoder.event.sctp.pkt_too_small</c>.</summary>
    SctpPktTooSmall,

    /// <summary><c>decoder.event.esp.pkt_too_small</c>.</summary>
    EspPktTooSmall,

    /// <summary><c>decoder.event.icmpv4.pkt_too_small</c>.</summary>
    Icmpv4PktTooSmall,

    /// <summary><c>decoder.event.icmpv4.unknown_type</c>.</summary>
    Icmpv4UnknownType,

    /// <summary><c>decoder.event.icmpv4.unknown_code</c>: a code the type does not define.</summary>
    Icmpv4UnknownCode,

    /// <summary><c>decoder.event.icmpv4.ipv4_trunc_pkt</c>.</summary>
    Icmpv4IPv4TruncPkt,

    /// <summary><c>decoder.event.icmpv4.ipv4_unknown_ver</c>.</summary>
    Icmpv4IPv4UnknownVersion,

    /// <summary><c>decoder.event.icmpv6.pkt_too_small</c>.</summary>
    Icmpv6PktTooSmall,

    /// <summary><c>decoder.event.icmpv6.ipv6_trunc_pkt</c>.</summary>
    Icmpv6IPv6TruncPkt,

    /// <summary><c>decoder.event.icmpv6.ipv6_unknown_version</c>.</summary>
    Icmpv6IPv6UnknownVersion,

    /// <summary><c>decoder.event.gre.pkt_too_small</c>.</summary>
    GrePktTooSmall,

    /// <summary><c>decoder.event.gre.wrong_version</c>.</summary>
    GreWrongVersion,

    /// <summary><c>decoder.event.gre.version0_hdr_too_big</c>.</summary>
    GreVersion0HdrTooBig,

    /// <summary><c>decoder.event.gre.version0_malformed_sre_hdr</c>.</summary>
    GreVersion0MalformedSreHdr,

    /// <summary><c>decoder.event.gre.version1_chksum</c>.</summary>
    GreVersion1Chksum,

    /// <summary><c>decoder.event.gre.version1_route</c>.</summary>
    GreVersion1Route,

    /// <summary><c>decoder.event.gre.version1_no_key</c>.</summary>
    GreVersion1NoKey,

    /// <summary><c>decoder.event.gre.version1_wrong_protocol</c>.</summary>
    GreVersion1WrongProtocol,

    /// <summary><c>decoder.event.gre.version1_hdr_too_big</c>.</summary>
    GreVersion1HdrTooBig,

    /// <summary><c>decoder.event.erspan.header_too_small</c>.</summary>
    ErspanHeaderTooSmall,

    /// <summary><c>decoder.event.erspan.unsupported_version</c>.</summary>
    ErspanUnsupportedVersion,

    /// <summary><c>decoder.event.vxlan.unknown_payload_type</c>.</summary>
    VxlanUnknownPayloadType,

    /// <summary><c>decoder.event.geneve.unknown_payload_type</c>.</summary>
    GeneveUnknownPayloadType,

    /// <summary><c>defrag.ipv4.fragments</c>.</summary>
    DefragIPv4Fragments,

    /// <summary><c>defrag.ipv4.reassembled</c>.</summary>
    DefragIPv4Reassembled,

    /// <summary><c>defrag.ipv6.fragments</c>.</summary>
    DefragIPv6Fragments,

    /// <summary><c>defrag.ipv6.reassembled</c>.</summary>
    DefragIPv6Reassembled,

    /// <summary><c>defrag.max_trackers_reached</c>.</summary>
    DefragMaxTrackersReached,

    /// <summary><c>defrag.max_frags_reached</c>.</summary>
    DefragMaxFragsReached,

    /// <summary><c>defrag.memcap_reached</c>.</summary>
    DefragMemcapReached,

    /// <summary><c>defrag.timeouts</c>.</summary>
    DefragTimeouts,

    /// <summary>Number of counters (not a counter).</summary>
    Count,
}
