using System.Buffers.Binary;
using System.Net;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// The records of <see cref="TunnelPacketRecordTests"/>: one destination unreachable with a code
/// Suricata does not define (a decoder anomaly) from each sender, inside GRE, IPv4 in IPv4, VXLAN,
/// Geneve and ERSPAN type II, reassembled from two fragments on the wire, and reassembled inside
/// GRE; and a UDP flow whose answer comes in two fragments; run as a process in simulated IPS mode with a rule that drops every IP packet, anomaly
/// records carrying the packet header (<c>packethdr</c>) and records carrying <c>ether</c>.
/// </summary>
public sealed class TunnelPacketCapture : IDisposable
{
    public const string GreSender = "10.6.0.1";

    public const string IPInIPSender = "10.7.0.1";

    public const string VxlanSender = "10.5.0.1";

    public const string GeneveSender = "10.8.0.1";

    public const string ErspanSender = "10.10.0.1";

    public const string WireDatagramSender = "10.9.0.1";

    public const string GreDatagramSender = "10.11.0.1";

    /// <summary>The server of a UDP flow on the wire that answers with a datagram in two fragments; the flow alerts (no rule drops it).</summary>
    public const string AlertedFlowServer = "10.12.0.2";

    /// <summary>The server of another such flow, which the rule drops (its answer gets a drop record).</summary>
    public const string DroppedFlowServer = "10.13.0.2";

    private const string Rules = "drop ip ![10.12.0.0/16] any -> any any (msg:\"any\"; sid:1;)\nalert ip [10.12.0.0/16] any -> any any (msg:\"alerted\"; sid:2;)\n";

    private const string Yaml =
        "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      ethernet: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n            packethdr: yes\n"
        + "        - drop\n        - flow\n";

    private static readonly byte[] ClientMac = [2, 0, 0, 0, 0, 1];

    private static readonly byte[] ServerMac = [2, 0, 0, 0, 0, 2];

    private static readonly Link Wire = new(ClientMac, ServerMac);

    private static readonly Link Gre = new(ClientMac, ServerMac, tunnelClient: IPAddress.Parse("172.16.1.1"), tunnelServer: IPAddress.Parse("172.16.1.2"));

    /// <summary>The Ethernet link inside VXLAN, Geneve and ERSPAN, other MACs than the wire's.</summary>
    internal static readonly Link Inner = new([2, 0, 0, 0, 1, 1], [2, 0, 0, 0, 1, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-tunnel-packet-");

    public TunnelPacketCapture()
    {
        Eve = DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml);
    }

    /// <summary>The path of the run's eve.json.</summary>
    public string Eve { get; }

    /// <summary>The IPv4 packet (an unreachable with code 99) each sender sends, as the tunnel carries it (its datagram, whole, for the fragmented ones).</summary>
    public static byte[] Unreachable(string sender, ushort id) =>
        PacketBuilder.IPv4(IPAddress.Parse(sender), IPAddress.Parse("10.99.0.2"), PacketBuilder.Icmp, id, PacketBuilder.IcmpMessage(3, 99, 0, new byte[28]));

    /// <summary>A datagram as reassembly rebuilds it: whole, don't-fragment clear (its fragments had it clear), header checksum recomputed.</summary>
    public static byte[] Reassembled(string sender, ushort id)
    {
        byte[] datagram = Unreachable(sender, id);
        datagram[6] = 0;
        SetHeaderChecksum(datagram);
        return datagram;
    }

    /// <summary>A VXLAN header (RFC 7348: the I flag, VNI 7) before an Ethernet frame.</summary>
    public static byte[] Vxlan(byte[] frame) => [0x08, 0, 0, 0, 0, 0, 7, 0, .. frame];

    /// <summary>A Geneve header (RFC 8926: version 0, no options, protocol transparent Ethernet bridging, VNI 9) before an Ethernet frame.</summary>
    public static byte[] Geneve(byte[] frame) => [0, 0, 0x65, 0x58, 0, 0, 9, 0, .. frame];

    /// <summary>An ERSPAN type II header (version 1, session 5) before the mirrored frame.</summary>
    public static byte[] ErspanII(byte[] frame) => [0x10, 0, 0, 5, 0, 0, 0, 0, .. frame];

    public void Dispose() => _work.Delete(recursive: true);

    private static byte[][] Frames()
    {
        IPAddress outerClient = IPAddress.Parse("172.16.0.1"), outerServer = IPAddress.Parse("172.16.0.2");
        byte[] ipInIp = PacketBuilder.IPv4(outerClient, outerServer, 4, 2, Unreachable(IPInIPSender, 3));
        byte[] vxlan = PacketBuilder.IPv4(outerClient, outerServer, PacketBuilder.Udp, 4, PacketBuilder.UdpDatagram(50000, 4789, Vxlan(Inner.Frame(Unreachable(VxlanSender, 5), fromClient: true))));
        byte[] geneve = PacketBuilder.IPv4(outerClient, outerServer, PacketBuilder.Udp, 6, PacketBuilder.UdpDatagram(50001, 6081, Geneve(Inner.Frame(Unreachable(GeneveSender, 7), fromClient: true))));

        // GRE with the sequence flag (ERSPAN type II), protocol 0x88BE, sequence 1.
        byte[] erspan = PacketBuilder.IPv4(outerClient, outerServer, 47, 8, [0x10, 0, 0x88, 0xBE, 0, 0, 0, 1, .. ErspanII(Inner.Frame(Unreachable(ErspanSender, 9), fromClient: true))]);
        (byte[] wireHead, byte[] wireTail) = Fragments(Unreachable(WireDatagramSender, 10));
        (byte[] greHead, byte[] greTail) = Fragments(Unreachable(GreDatagramSender, 11));

        return
        [
            Gre.Frame(Unreachable(GreSender, 1), fromClient: true),
            Wire.Frame(ipInIp, fromClient: true),
            Wire.Frame(vxlan, fromClient: true),
            Wire.Frame(geneve, fromClient: true),
            Wire.Frame(erspan, fromClient: true),
            Wire.Frame(wireHead, fromClient: true),
            Wire.Frame(wireTail, fromClient: true),
            Gre.Frame(greHead, fromClient: true),
            Gre.Frame(greTail, fromClient: true),
            .. AnsweredInFragments(AlertedFlowServer),
            .. AnsweredInFragments(DroppedFlowServer),
        ];
    }

    /// <summary>A query to <paramref name="server"/> (from the .1 of its /24), and its answer in two fragments.</summary>
    private static byte[][] AnsweredInFragments(string server)
    {
        IPAddress answerer = IPAddress.Parse(server);
        byte[] address = answerer.GetAddressBytes();
        address[3] = 1;
        IPAddress client = new(address);
        (byte[] head, byte[] tail) = Fragments(PacketBuilder.IPv4(answerer, client, PacketBuilder.Udp, 13, PacketBuilder.UdpDatagram(53, 40000, new byte[32])));
        return
        [
            Wire.Frame(PacketBuilder.IPv4(client, answerer, PacketBuilder.Udp, 12, PacketBuilder.UdpDatagram(40000, 53, new byte[8])), fromClient: true),
            Wire.Frame(head, fromClient: false),
            Wire.Frame(tail, fromClient: false),
        ];
    }

    /// <summary>An IPv4 datagram's two fragments: the first 16 bytes of its payload (more fragments), then the rest.</summary>
    private static (byte[] Head, byte[] Tail) Fragments(byte[] datagram)
    {
        const int split = 16;
        byte[] head = [.. datagram.AsSpan(0, 20), .. datagram.AsSpan(20, split)];
        byte[] tail = [.. datagram.AsSpan(0, 20), .. datagram.AsSpan(20 + split)];
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), (ushort)head.Length);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(6), 0x2000);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(2), (ushort)tail.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tail.AsSpan(6), split / 8);
        SetHeaderChecksum(head);
        SetHeaderChecksum(tail);
        return (head, tail);
    }

    private static void SetHeaderChecksum(byte[] packet)
    {
        packet[10] = packet[11] = 0;
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(i));
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), (ushort)~sum);
    }
}
