using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// A GRE tunnel's carrier packet meets the rules as Suricata runs them: the decoder makes the GRE
/// packet and the packet inside it two packets, the carrier without a flow (so every rule runs on
/// each one, proto GRE) and the inner one in its flow (where IP-only rules run on the first packet
/// each way only).
/// </summary>
public sealed class TunnelCarrierRuleTests : IDisposable
{
    private const string Rules =
        "alert ip any any -> any any (msg:\"any ip\"; sid:1;)\n"
        + "alert ip any any -> any any (msg:\"gre\"; ip_proto:47; sid:2;)\n"
        + "alert tcp any any -> any any (msg:\"any tcp\"; sid:3;)\n";

    private const string Yaml = "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
    private static readonly IPAddress Near = IPAddress.Parse("172.16.0.1");
    private static readonly IPAddress Far = IPAddress.Parse("172.16.0.2");
    private static readonly IPAddress Client = IPAddress.Parse("10.2.0.1");
    private static readonly IPAddress Server = IPAddress.Parse("10.2.0.2");

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-gre-carrier-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Every_carrier_packet_alerts_as_GRE_and_the_inner_flow_alerts_ip_only_rules_once_each_way()
    {
        byte[][] frames =
        [
            Carried(Near, Far, Client, Server, 40000, 80, 0x02),
            Carried(Far, Near, Server, Client, 80, 40000, 0x12),
            Carried(Near, Far, Client, Server, 40000, 80, 0x10),
        ];

        JsonElement[] alerts = [.. new EveLog(DetectHostProcess.RunSimulatedIps(_work, frames, Rules, Yaml)).Alerts];

        Assert.Equal(
            ["1 GRE", "1 GRE", "1 GRE", "1 TCP", "1 TCP", "2 GRE", "2 GRE", "2 GRE", "3 TCP", "3 TCP"],
            alerts.Select(a => $"{a.GetProperty("alert").GetProperty("signature_id").GetInt32()} {a.GetProperty("proto").GetString()}").Order(StringComparer.Ordinal));
        JsonElement carrier = alerts.First(a => a.GetProperty("proto").GetString() == "GRE");
        Assert.False(carrier.TryGetProperty("flow_id", out _));
        Assert.Equal("172.16.0.1", carrier.GetProperty("src_ip").GetString());
    }

    /// <summary>A TCP segment with <paramref name="flags"/> inside GRE (RFC 2784, no options) inside IPv4.</summary>
    private static byte[] Carried(IPAddress outerSource, IPAddress outerDestination, IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, byte flags)
    {
        byte[] inner = PacketBuilder.IPv4(source, destination, 6, 1, PacketBuilder.TcpSegment(sourcePort, destinationPort, 1, flags == 0x02 ? 0u : 1u, flags, []));
        byte[] gre = new byte[4 + inner.Length];
        BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(2), 0x0800);
        inner.CopyTo(gre, 4);
        return Wire.Frame(PacketBuilder.IPv4(outerSource, outerDestination, 47, 1, gre), fromClient: outerSource.Equals(Near));
    }
}
