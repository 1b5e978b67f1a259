using System.Net;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// The records of <see cref="RecordOriginTests"/>: a destination unreachable with a code Suricata does
/// not define (a decoder anomaly of a packet of a flow), once on the wire and once inside VXLAN (its
/// flow a tunnel's: the outer UDP flow's), run as a process in simulated IPS mode with a rule that drops every IP packet and
/// anomaly records carrying the packet header (<c>packethdr</c>).
/// </summary>
public sealed class TunnelledRecordCapture : IDisposable
{
    /// <summary>The sender of the packet on the wire.</summary>
    public const string WireSender = "10.1.0.1";

    /// <summary>The sender of the packet inside VXLAN.</summary>
    public const string TunnelledSender = "10.5.0.1";

    /// <summary>The sender of the VXLAN packet.</summary>
    public const string TunnelSender = "172.16.0.1";

    private const string Rules = "drop ip any any -> any any (msg:\"any\"; sid:1;)\n";

    private const string Yaml =
        "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n            packethdr: yes\n"
        + "        - drop\n        - flow\n";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private static readonly Link Inner = new([2, 0, 0, 0, 1, 1], [2, 0, 0, 0, 1, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-record-origin-");

    public TunnelledRecordCapture()
    {
        Eve = DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml);
    }

    /// <summary>The path of the run's eve.json.</summary>
    public string Eve { get; }

    public void Dispose() => _work.Delete(recursive: true);

    private static byte[][] Frames()
    {
        byte[] unreachable = PacketBuilder.IcmpMessage(3, 99, 0, new byte[28]);
        return
        [
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse(WireSender), IPAddress.Parse("10.1.0.2"), PacketBuilder.Icmp, 1, unreachable), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse(TunnelSender), IPAddress.Parse("172.16.0.2"), PacketBuilder.Udp, 2, PacketBuilder.UdpDatagram(50000, 4789, Vxlan(Inner.Frame(PacketBuilder.IPv4(IPAddress.Parse(TunnelledSender), IPAddress.Parse("10.5.0.2"), PacketBuilder.Icmp, 3, unreachable), fromClient: true)))), fromClient: true),
        ];
    }

    /// <summary>A VXLAN header (RFC 7348: the I flag, VNI 7) before an Ethernet frame.</summary>
    private static byte[] Vxlan(byte[] frame)
    {
        byte[] vxlan = new byte[8 + frame.Length];
        vxlan[0] = 0x08;
        vxlan[6] = 7;
        frame.CopyTo(vxlan, 8);
        return vxlan;
    }
}
