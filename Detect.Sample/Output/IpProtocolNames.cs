using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Detect.Sample.Output;

/// <summary>
/// The names EVE gives IP protocols, as Suricata's <c>known_proto</c> table has them (util-proto-name.c:
/// IANA's keywords, with its own spellings such as <c>IP-in-IP</c> and <c>Any</c>): numbers 0-143 are named;
/// Suricata writes the number of any other.
/// </summary>
internal static class IpProtocolNames
{
    private const string Names =
        "HOPOPT ICMP IGMP GGP IP-in-IP ST TCP CBT EGP IGP BBN-RCC-MON NVP-II PUP ARGUS EMCON XNET CHAOS UDP MUX DCN-MEAS " +
        "HMP PRM XNS-IDP TRUNK-1 TRUNK-2 LEAF-1 LEAF-2 RDP IRTP ISO-TP4 NETBLT MFE-NSP MERIT-INP DCCP 3PC IDPR XTP DDP IDPR-CMTP TP++ " +
        "IL IPv6 SDRP IPv6-Route IPv6-Frag IDRP RSVP GRE DSR BNA ESP AH I-NLSP SwIPe NARP MOBILE TLSP SKIP IPv6-ICMP IPv6-NoNxt " +
        "IPv6-Opts Any CFTP Any SAT-EXPAK KRYPTOLAN RVD IPPC Any SAT-MON VISA IPCU CPNX CPHB WSN PVP BR-SAT-MON SUN-ND WB-MON WB-EXPAK " +
        "ISO-IP VMTP SECURE-VMTP VINES TTP NSFNET-IGP DGP TCF EIGRP OSPF Sprite-RPC LARP MTP AX.25 OS MICP SCC-SP ETHERIP ENCAP Any " +
        "GMTP IFMP PNNI PIM ARIS SCPS QNX A/N IPComp SNP Compaq-Peer IPX-in-IP VRRP PGM Any L2TP DDX IATP STP SRP " +
        "UTI SMP SM PTP IS-IS FIRE CRTP CRUDP SSCOPMCE IPLT SPS PIPE SCTP FC RSVP-E2E-IGNORE Mobility UDPLite MPLS-in-IP manet HIP " +
        "Shim6 WESP ROHC Ethernet";

    /// <summary>The named protocols' names in UTF-8, by number; an empty array for the rest.</summary>
    private static readonly byte[][] Utf8Names = BuildUtf8();

    /// <summary>The same, encoded once for <see cref="Utf8JsonWriter"/> as EVE's writer escapes (nothing in these names).</summary>
    private static readonly JsonEncodedText[] EncodedNames = BuildEncoded();

    /// <summary>The protocol's name, or empty where Suricata writes its number.</summary>
    public static ReadOnlySpan<byte> Utf8(byte protocol) => Utf8Names[protocol];

    /// <summary>The protocol's name for a JSON writer, or <c>default</c> (empty) where Suricata writes its number.</summary>
    public static JsonEncodedText Encoded(byte protocol) => EncodedNames[protocol];

    private static byte[][] BuildUtf8()
    {
        string[] names = Names.Split(' ');
        var table = new byte[256][];
        for (int p = 0; p < table.Length; p++)
        {
            table[p] = p < names.Length ? Encoding.UTF8.GetBytes(names[p]) : [];
        }

        return table;
    }

    private static JsonEncodedText[] BuildEncoded()
    {
        var table = new JsonEncodedText[256];
        for (int p = 0; p < table.Length; p++)
        {
            if (Utf8Names[p].Length > 0)
            {
                table[p] = JsonEncodedText.Encode(Utf8Names[p], JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
            }
        }

        return table;
    }
}
