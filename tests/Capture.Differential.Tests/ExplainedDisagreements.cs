namespace Capture.Differential.Tests;

/// <summary>
/// The categories of disagreement that are by design, each with how many packets of the shared
/// captures fall into it and why; docs/FLOWS.md ("Checked against PacketDotNet and libpcap") lists
/// the same. The counts are exact: a known disagreement in a new place fails the test as a new one does.
/// </summary>
internal static class ExplainedDisagreements
{
    public static readonly IReadOnlyDictionary<string, (int Packets, string Why)> Decoder = new Dictionary<string, (int Packets, string Why)>(StringComparer.Ordinal)
    {
        ["ethertype: MPLS"] = (19, "PacketDotNet does not decode MPLS label stacks; our EtherType is the network layer's after the labels"),
        ["ip layer: PacketDotNet none (MPLS)"] = (18, "PacketDotNet stops at the MPLS label stack; we walk it to the IP packet, as Suricata"),
        ["ethertype: E-Tag, VN-Tag, NSH"] = (15, "PacketDotNet does not decode 802.1BR E-Tags, Cisco VN-Tags or NSH; we walk them to the packet they carry, as Suricata, and report its EtherType"),
        ["ip layer: PacketDotNet none (E-Tag, VN-Tag, NSH)"] = (15, "PacketDotNet stops at the E-Tag, VN-Tag or NSH header; we decode the IP packet it carries, as Suricata"),
        ["ethertype: PPPoE session"] = (1, "our EtherType is the network layer's after the PPPoE/PPP headers; PacketDotNet reports the PPPoE session EtherType"),
        ["ip layer: ours none (BadVersion)"] = (6, "the IP version nibble contradicts the EtherType: we count the packet invalid (Suricata's wrong_ip_version); PacketDotNet trusts the EtherType"),
        ["ip layer: ours none (IPv4 option past the header)"] = (8, "an IPv4 option whose length is under 2 or runs past the header: Suricata's decoder fails the packet (ipv4.opt_invalid_len) and so do we; PacketDotNet reads on regardless"),
        ["ip layer: ours none (InvalidLength)"] = (9, "an IPv4 header length under 20, or an IPv6 payload length of 0 without a valid Jumbo Payload option (RFC 2675; BIG TCP/TSO frames seen on the sending host): invalid; PacketDotNet reads on regardless"),
        ["ip layer: ours none (Truncated)"] = (17, "the IP header claims more bytes than the frame holds though the capture did not cut it: truncated (Suricata's trunc_pkt); PacketDotNet reads what is there"),
        ["protocol (Truncated)"] = (2, "an IPv6 extension header cut off by the capture: we report the header we could not walk past; PacketDotNet reads a next-header byte the capture does not hold whole"),
        ["protocol: IPv6 extension header chain"] = (1, "hop-by-hop, destination, routing and AH headers before OSPF: we reach OSPF (89), as tshark does; PacketDotNet's walk ends inside the chain (34)"),
        ["transport: PacketDotNet none (IPv6 jumbogram)"] = (4, "PacketDotNet takes an IPv6 payload length of 0 literally; we read the Jumbo Payload option (RFC 2675), as tshark does"),
    };

    public static readonly IReadOnlyDictionary<string, (int Packets, string Why)> Reader = new Dictionary<string, (int Packets, string Why)>(StringComparer.Ordinal)
    {
        ["libpcap refuses pcapng interfaces that differ"] = (4, "libpcap 1.10 stops at a pcapng interface whose link type or snap length differs from the first one's; we read every interface with its own link type"),
        ["captured length: libpcap cuts the record to the file's snap length"] = (72, "a record longer than the file header's snap length: libpcap keeps the first snap-length bytes, we keep every captured byte (as Wireshark); the bytes libpcap keeps are the same"),
        ["wire length: the record's is below its captured length"] = (7, "a record that says fewer bytes were on the wire than it captured (a corrupt record): we take the captured length as the wire length, so byte counts never go below the bytes seen; libpcap keeps the stated wire length (and cuts the bytes to the snap length)"),
        ["timestamp: 32-bit field of 2^31 or more"] = (10, "the pcap format's seconds and sub-second fields are unsigned 32-bit: we read them so (years 2038 to 2106; an out-of-range sub-second count carries into the seconds); libpcap reads them signed"),
    };
}
