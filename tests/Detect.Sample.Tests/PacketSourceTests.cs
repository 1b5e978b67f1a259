using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// <c>pkt_src</c> on the records of packets, as Suricata writes it: the capture's packets
/// <c>wire/pcap</c>, a tunnel's inner packet after the tunnel that carried it, a reassembled
/// datagram <c>defrag</c>; never on flow records. One capture of one-packet flows, run as a process
/// in simulated IPS mode so that each packet gets an alert and a drop record.
/// </summary>
public sealed class PacketSourceTests : IDisposable
{
    private const string Rules =
        "drop tcp any any -> any 80 (msg:\"tcp\"; sid:1;)\n"
        + "drop udp any any -> any 53 (msg:\"udp\"; sid:2;)\n";

    private const string Yaml =
        "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n"
        + "        - drop\n        - flow\n";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    private static readonly Link InnerWire = new([2, 0, 0, 0, 1, 1], [2, 0, 0, 0, 1, 2]);
    private static readonly IPAddress OuterClient = IPAddress.Parse("172.16.0.1");
    private static readonly IPAddress OuterServer = IPAddress.Parse("172.16.0.2");
    private static readonly IPAddress OuterClient6 = IPAddress.Parse("2001:db8:ffff::1");
    private static readonly IPAddress OuterServer6 = IPAddress.Parse("2001:db8:ffff::2");

    /// <summary>Each packet's sender (its inner one's, in a tunnel) and the <c>pkt_src</c> Suricata gives its records.</summary>
    private static readonly (string Sender, string Source)[] Expected =
    [
        ("10.0.0.1", "wire/pcap"),
        ("10.1.0.1", "vxlan encapsulation"),
        ("10.2.0.1", "gre tunnel"),
        ("10.3.0.1", "ipv4 tunnel"),
        ("2001:db8::3", "ipv4 tunnel"), // IPv6 in IPv4: named by the outer header
        ("2001:db8::4", "ipv6 tunnel"),
        ("10.5.0.1", "geneve encapsulation"),
        ("2001:db8::6", "teredo tunnel"),
        ("10.7.0.1", "defrag"),
        ("10.8.0.1", "gre tunnel"), // GRE in a reassembled datagram: the tunnel's inner packet
        ("10.9.0.1", "gre tunnel"),
        ("10.10.0.1", "wire/pcap"),
    ];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-pkt-src-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Alerts_name_where_their_packet_came_from() => AssertOneEachWithItsSource(new EveLog(Run()).Alerts);

    [Fact]
    public void Drop_records_name_where_their_packet_came_from() => AssertOneEachWithItsSource([.. new EveLog(Run()).OfType("drop")]);

    [Fact]
    public void An_alert_on_a_tunnels_inner_packet_or_a_reassembled_datagram_describes_the_captured_packet_in_tunnel()
    {
        EveLog eve = new(Run());
        JsonElement[] alerts = [.. eve.Alerts];

        AssertTunnel(alerts, "10.1.0.1", "172.16.0.1", 40000, "172.16.0.2", 4789, "UDP", depth: 1, pcapCount: 2); // VXLAN
        AssertTunnel(alerts, "10.3.0.1", "172.16.0.1", 0, "172.16.0.2", 0, "IP-in-IP", depth: 1, pcapCount: 4);
        AssertTunnel(alerts, "2001:db8::4", "2001:db8:ffff::1", 0, "2001:db8:ffff::2", 0, "IPv6", depth: 1, pcapCount: 6);
        AssertTunnel(alerts, "10.7.0.1", "10.7.0.1", 0, "10.7.0.2", 0, "UDP", depth: 0, pcapCount: 10); // the fragment that completed it
        AssertTunnel(alerts, "10.8.0.1", "172.16.0.1", 0, "172.16.0.2", 0, "GRE", depth: 1, pcapCount: 12);

        // A packet as captured has none; nor have drop records (Suricata's alert logger writes it).
        Assert.False(Assert.Single(alerts, a => SentBy(a, "10.0.0.1")).TryGetProperty("tunnel", out _));
        Assert.All(eve.OfType("drop"), d => Assert.False(d.TryGetProperty("tunnel", out _), d.ToString()));
    }

    [Fact]
    public void Anomaly_records_name_where_their_packet_came_from_and_flow_records_have_none()
    {
        EveLog eve = new(Run());

        // The two packets whose IPv4 options are not padded: one inside GRE, one on the wire.
        JsonElement inner = Assert.Single(eve.OfType("anomaly"), a => SentBy(a, "10.9.0.1"));
        Assert.Equal("gre tunnel", inner.GetProperty("pkt_src").GetString());
        JsonElement outer = Assert.Single(eve.OfType("anomaly"), a => SentBy(a, "10.10.0.1"));
        Assert.Equal("wire/pcap", outer.GetProperty("pkt_src").GetString());

        // Suricata writes flow records from the flow, not a packet: no pkt_src.
        Assert.NotEmpty(eve.Flows);
        Assert.All(eve.Flows, f => Assert.False(f.TryGetProperty("pkt_src", out _), f.ToString()));
    }

    /// <summary>The schema is Suricata's, read from the shared suricata-verify subset beside the checkout.</summary>
    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_records_validate_against_the_eve_schema()
    {
        string eve = Run();
        Assert.Empty(EveSchema.Violations(eve));
    }

    /// <summary>One record per packet of <see cref="Expected"/>, each with the packet's <c>pkt_src</c>.</summary>
    private static void AssertOneEachWithItsSource(IReadOnlyList<JsonElement> records)
    {
        Assert.Equal(Expected.Length, records.Count);
        foreach ((string sender, string source) in Expected)
        {
            JsonElement record = Assert.Single(records, r => SentBy(r, sender));
            Assert.Equal(source, record.GetProperty("pkt_src").GetString());
        }
    }

    private static void AssertTunnel(JsonElement[] alerts, string sender, string rootSource, int rootSourcePort, string rootDestination, int rootDestinationPort, string proto, int depth, int pcapCount)
    {
        JsonElement tunnel = Assert.Single(alerts, a => SentBy(a, sender)).GetProperty("tunnel");
        Assert.Equal(IPAddress.Parse(rootSource), IPAddress.Parse(tunnel.GetProperty("src_ip").GetString()!));
        Assert.Equal(rootSourcePort, tunnel.GetProperty("src_port").GetInt32());
        Assert.Equal(IPAddress.Parse(rootDestination), IPAddress.Parse(tunnel.GetProperty("dest_ip").GetString()!));
        Assert.Equal(rootDestinationPort, tunnel.GetProperty("dest_port").GetInt32());
        Assert.Equal(proto, tunnel.GetProperty("proto").GetString());
        Assert.Equal(depth, tunnel.GetProperty("depth").GetInt32());
        Assert.Equal(pcapCount, tunnel.GetProperty("pcap_cnt").GetInt32());
        Assert.Equal("wire/pcap", tunnel.GetProperty("pkt_src").GetString());
    }

    private static bool SentBy(JsonElement record, string sender) =>
        IPAddress.Parse(record.GetProperty("src_ip").GetString()!).Equals(IPAddress.Parse(sender));

    /// <summary>Runs the host on the capture; returns the path of its eve.json.</summary>
    private string Run() => DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml);

    /// <summary>One frame per line of <see cref="Expected"/>, in its order (the reassembled ones as two fragments).</summary>
    private static byte[][] Frames()
    {
        byte[] vxlan = [0x08, 0, 0, 0, 0, 0, 42, 0];
        byte[] geneve = [0, 0, 0x65, 0x58, 0, 0, 42, 0]; // Ethernet inside

        byte[] greInReassembled = IPv4(OuterClient, OuterServer, 47, Gre(0x0800, Syn("10.8.0.1")));
        byte[] udp = IPv4(Address("10.7.0.1"), Address("10.7.0.2"), 17, PacketBuilder.UdpDatagram(5000, 53, new byte[32]));

        return
        [
            Wire.Frame(Syn("10.0.0.1"), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 17, PacketBuilder.UdpDatagram(40000, 4789, [.. vxlan, .. InnerWire.Frame(Syn("10.1.0.1"), fromClient: true)])), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 47, Gre(0x0800, Syn("10.2.0.1"))), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 4, Syn("10.3.0.1")), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 41, Syn6("2001:db8::3")), fromClient: true),
            Wire.Frame(PacketBuilder.IPv6(OuterClient6, OuterServer6, 41, Syn6("2001:db8::4")), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 17, PacketBuilder.UdpDatagram(40001, 6081, [.. geneve, .. InnerWire.Frame(Syn("10.5.0.1"), fromClient: true)])), fromClient: true),
            Wire.Frame(IPv4(OuterClient, OuterServer, 17, PacketBuilder.UdpDatagram(3544, 40002, Syn6("2001:db8::6"))), fromClient: true),
            .. Fragments(udp).Select(f => Wire.Frame(f, fromClient: true)),
            .. Fragments(greInReassembled).Select(f => Wire.Frame(f, fromClient: true)),
            Wire.Frame(IPv4(OuterClient, OuterServer, 47, Gre(0x0800, WithUnpaddedOptions(Syn("10.9.0.1")))), fromClient: true),
            Wire.Frame(WithUnpaddedOptions(Syn("10.10.0.1")), fromClient: true),
        ];
    }

    private static IPAddress Address(string text) => IPAddress.Parse(text);

    private static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, byte[] payload) =>
        PacketBuilder.IPv4(source, destination, protocol, 1, payload);

    /// <summary>A SYN from <paramref name="sender"/> (x.x.x.1) to x.x.x.2, port 80.</summary>
    private static byte[] Syn(string sender)
    {
        byte[] source = Address(sender).GetAddressBytes();
        byte[] destination = [.. source];
        destination[3] = 2;
        return PacketBuilder.IPv4(new IPAddress(source), new IPAddress(destination), 6, 1, PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, []));
    }

    private static byte[] Syn6(string sender)
    {
        byte[] source = Address(sender).GetAddressBytes();
        byte[] destination = [.. source];
        destination[15] = 0xff;
        return PacketBuilder.IPv6(new IPAddress(source), new IPAddress(destination), 6, PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, []));
    }

    /// <summary>GRE without options (RFC 2784) carrying <paramref name="payload"/> of <paramref name="etherType"/>.</summary>
    private static byte[] Gre(ushort etherType, byte[] payload)
    {
        byte[] gre = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(2), etherType);
        payload.CopyTo(gre, 4);
        return gre;
    }

    /// <summary>The IPv4 packet with four bytes of options (NOPs, end of list): not padded to eight, Suricata's <c>ipv4.opt_pad_required</c>.</summary>
    private static byte[] WithUnpaddedOptions(byte[] packet)
    {
        byte[] longer = new byte[packet.Length + 4];
        packet.AsSpan(0, 20).CopyTo(longer);
        longer[0] = 0x46;
        longer[20] = 1;
        longer[21] = 1;
        longer[22] = 1;
        packet.AsSpan(20).CopyTo(longer.AsSpan(24));
        BinaryPrimitives.WriteUInt16BigEndian(longer.AsSpan(2), (ushort)longer.Length);
        return HeaderChecksum(longer, 24);
    }

    /// <summary>An IPv4 packet (20-byte header) split in two fragments, the first carrying 24 bytes of its payload.</summary>
    private static byte[][] Fragments(byte[] packet)
    {
        const int First = 24;
        byte[] payload = packet[20..];
        return [Fragment(packet, payload[..First], 0, more: true), Fragment(packet, payload[First..], First / 8, more: false)];
    }

    private static byte[] Fragment(byte[] packet, byte[] part, int offsetUnits, bool more)
    {
        byte[] fragment = new byte[20 + part.Length];
        packet.AsSpan(0, 20).CopyTo(fragment);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(2), (ushort)fragment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(4), 0x77);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), (ushort)((more ? 0x2000 : 0) | offsetUnits));
        part.CopyTo(fragment, 20);
        return HeaderChecksum(fragment, 20);
    }

    private static byte[] HeaderChecksum(byte[] packet, int headerLength)
    {
        packet[10] = packet[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum.Finish(Checksum.Add(0, packet.AsSpan(0, headerLength))));
        return packet;
    }
}
