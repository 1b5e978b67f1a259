using System.Buffers.Binary;
using System.Net;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// The records of <see cref="EveHeaderTests"/>: a capture of an ICMP echo request, an ICMPv6 one, a
/// destination unreachable with an unknown code (an anomaly), a TCP SYN, an echo request inside GRE
/// and a frame without IP, run once as a process in simulated IPS mode with a rule that drops every
/// IP packet, so that each IP packet gets an alert and a drop record.
/// </summary>
public sealed class EveHeaderCapture : IDisposable
{
    private const string Rules = "drop ip any any -> any any (msg:\"any\"; sid:1;)\n";

    private const string Yaml =
        "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      community-id: yes\n      ethernet: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n"
        + "        - drop\n        - flow\n";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-eve-header-");

    public EveHeaderCapture()
    {
        Eve = Run();
    }

    /// <summary>The path of the run's eve.json.</summary>
    public string Eve { get; }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>Runs the host on the capture; returns the path of its eve.json.</summary>
    private string Run() => DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml);

    private static byte[][] Frames()
    {
        byte[] echo = PacketBuilder.IcmpMessage(8, 0, 0x00010001, new byte[16]);
        byte[] echo6 = PacketBuilder.IcmpMessage(128, 0, 0x00010001, new byte[16]);
        byte[] unreachable = PacketBuilder.IcmpMessage(3, 99, 0, new byte[28]);
        byte[] syn = PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, []);

        // An EtherType no decoder knows (Suricata's decoder.ethernet.unknown_ethertype): a frame without IP.
        byte[] unknown = Wire.Frame(new byte[46], fromClient: true);
        BinaryPrimitives.WriteUInt16BigEndian(unknown.AsSpan(12), 0xFBB7);

        return
        [
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), PacketBuilder.Icmp, 1, echo), fromClient: true),
            Wire.Frame(PacketBuilder.IPv6(IPAddress.Parse("2001:db8::1"), IPAddress.Parse("2001:db8::2"), PacketBuilder.Icmpv6, echo6), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse("10.1.0.1"), IPAddress.Parse("10.1.0.2"), PacketBuilder.Icmp, 2, unreachable), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse("10.2.0.1"), IPAddress.Parse("10.2.0.2"), PacketBuilder.Tcp, 3, syn), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse("172.16.0.1"), IPAddress.Parse("172.16.0.2"), 47, 6, Gre(PacketBuilder.IPv4(IPAddress.Parse("10.4.0.1"), IPAddress.Parse("10.4.0.2"), PacketBuilder.Icmp, 5, echo))), fromClient: true),
            unknown,
        ];
    }

    /// <summary>GRE without options (RFC 2784) carrying an IPv4 packet.</summary>
    private static byte[] Gre(byte[] packet)
    {
        byte[] gre = new byte[4 + packet.Length];
        BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(2), 0x0800);
        packet.CopyTo(gre, 4);
        return gre;
    }
}
