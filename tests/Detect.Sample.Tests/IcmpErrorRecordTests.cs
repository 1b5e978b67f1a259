using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// The records of an ICMPv4 port unreachable the engine keys to the UDP flow it quotes, run as a
/// process in simulated IPS mode: as Suricata's (output-json.c <c>CreateEveHeader</c> and
/// <c>JsonAddrInfoInit</c> read the packet's <c>p->src</c>, <c>p->dst</c> and <c>p->proto</c>,
/// which decode-icmpv4.c leaves the error's own), they name the ICMP packet, its type and code and
/// no ports, under the quoted flow's flow_id; rules match it as ICMP. The flow record stays the UDP flow's.
/// </summary>
public sealed class IcmpErrorRecordTests : IDisposable
{
    private const string Rules =
        "alert icmp any any -> any any (msg:\"unreachable\"; itype:3; sid:1;)\n"
        + "drop icmp any any -> any any (msg:\"drop unreachable\"; itype:3; icode:3; sid:2;)\n"
        + "drop udp any any -> any 161 (msg:\"drop snmp\"; sid:4;)\n";

    private const string Yaml = "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n        - drop\n        - flow\n";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-icmp-error-");
    private readonly EveLog _eve;

    public IcmpErrorRecordTests()
    {
        _eve = new EveLog(DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml));
    }

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void An_alert_on_the_error_names_the_icmp_packet_under_the_quoted_flow()
    {
        JsonElement alert = Assert.Single(_eve.Alerts, a => a.GetProperty("alert").GetProperty("signature_id").GetInt32() == 1);

        AssertIcmpHeader(alert, "10.5.0.2", "10.5.0.1", "ICMP", type: 3, code: 3);
        Assert.Equal(UdpFlow().GetProperty("flow_id").GetInt64(), alert.GetProperty("flow_id").GetInt64());
        Assert.Equal("to_client", alert.GetProperty("direction").GetString());

        // The flow object is the flow's, ports and all.
        JsonElement flow = alert.GetProperty("flow");
        Assert.Equal("10.5.0.1", flow.GetProperty("src_ip").GetString());
        Assert.Equal(40000, flow.GetProperty("src_port").GetInt32());
        Assert.Equal(53, flow.GetProperty("dest_port").GetInt32());
    }

    [Fact]
    public void The_drop_record_of_the_error_names_the_icmp_packet_under_the_quoted_flow()
    {
        JsonElement drop = Assert.Single(_eve.OfType("drop"), d => d.GetProperty("src_ip").GetString() == "10.5.0.2");

        AssertIcmpHeader(drop, "10.5.0.2", "10.5.0.1", "ICMP", type: 3, code: 3);
        Assert.Equal(UdpFlow().GetProperty("flow_id").GetInt64(), drop.GetProperty("flow_id").GetInt64());
        Assert.Equal("to_client", drop.GetProperty("direction").GetString());
        Assert.Equal(64, drop.GetProperty("drop").GetProperty("ttl").GetInt32());
        Assert.False(drop.GetProperty("drop").TryGetProperty("udplen", out _), drop.ToString());
    }

    [Fact]
    public void The_flow_drop_record_of_an_error_quoting_a_dropped_flow_names_the_icmp_packet()
    {
        JsonElement drop = Assert.Single(_eve.OfType("drop"), d => d.GetProperty("src_ip").GetString() == "10.6.0.2");

        AssertIcmpHeader(drop, "10.6.0.2", "10.6.0.1", "ICMP", type: 3, code: 3);
        Assert.Equal("flow drop", drop.GetProperty("drop").GetProperty("reason").GetString());
        JsonElement flow = Assert.Single(_eve.Flows, f => f.GetProperty("src_ip").GetString() == "10.6.0.1");
        Assert.Equal(flow.GetProperty("flow_id").GetInt64(), drop.GetProperty("flow_id").GetInt64());
    }

    [Fact]
    public void An_anomaly_of_the_error_names_the_icmp_packet_under_the_quoted_flow()
    {
        JsonElement anomaly = Assert.Single(_eve.OfType("anomaly"));

        Assert.Equal("decoder.ipv4.opt_pad_required", anomaly.GetProperty("anomaly").GetProperty("event").GetString());
        AssertIcmpHeader(anomaly, "10.5.0.2", "10.5.0.1", "ICMP", type: 3, code: 3);
        Assert.Equal(UdpFlow().GetProperty("flow_id").GetInt64(), anomaly.GetProperty("flow_id").GetInt64());
    }

    [Fact]
    public void The_flow_records_stay_the_udp_flows_and_no_icmp_flow_is_made()
    {
        Assert.Equal(2, _eve.Flows.Count);
        Assert.All(_eve.Flows, f => Assert.Equal("UDP", f.GetProperty("proto").GetString()));
        JsonElement flow = UdpFlow();
        Assert.Equal(40000, flow.GetProperty("src_port").GetInt32());
        Assert.Equal(1, flow.GetProperty("flow").GetProperty("pkts_toclient").GetInt32());
        Assert.Equal("drop", flow.GetProperty("flow").GetProperty("action").GetString());
    }

    private static void AssertIcmpHeader(JsonElement record, string source, string destination, string proto, int type, int code)
    {
        Assert.Equal(source, record.GetProperty("src_ip").GetString());
        Assert.Equal(destination, record.GetProperty("dest_ip").GetString());
        Assert.Equal(proto, record.GetProperty("proto").GetString());
        Assert.Equal(type, record.GetProperty("icmp_type").GetInt32());
        Assert.Equal(code, record.GetProperty("icmp_code").GetInt32());
        Assert.False(record.TryGetProperty("src_port", out _), record.ToString());
        Assert.False(record.TryGetProperty("dest_port", out _), record.ToString());
    }

    private JsonElement UdpFlow() => Assert.Single(_eve.Flows, f => f.GetProperty("src_ip").GetString() == "10.5.0.1");

    /// <summary>
    /// A DNS query 10.5.0.1:40000 → 10.5.0.2:53 and the server's port unreachable quoting its IP and
    /// UDP headers (its IP header with 4 bytes of options, not padded to 8: a decoder event); an
    /// SNMP query a rule drops and the port unreachable that answers it. ICMPv6 errors are keyed as
    /// their own flows (<see cref="Icmpv6ErrorRecordTests"/>).
    /// </summary>
    private static byte[][] Frames()
    {
        byte[] query = PacketBuilder.IPv4(IPAddress.Parse("10.5.0.1"), IPAddress.Parse("10.5.0.2"), PacketBuilder.Udp, 1, PacketBuilder.UdpDatagram(40000, 53, new byte[12]));
        byte[] unreachable = PacketBuilder.IcmpMessage(3, 3, 0, query.AsSpan(0, 28));
        byte[] snmp = PacketBuilder.IPv4(IPAddress.Parse("10.6.0.1"), IPAddress.Parse("10.6.0.2"), PacketBuilder.Udp, 3, PacketBuilder.UdpDatagram(40002, 161, new byte[12]));
        return
        [
            Wire.Frame(query, fromClient: true),
            Wire.Frame(WithNopOptions(PacketBuilder.IPv4(IPAddress.Parse("10.5.0.2"), IPAddress.Parse("10.5.0.1"), PacketBuilder.Icmp, 2, unreachable)), fromClient: false),
            Wire.Frame(snmp, fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(IPAddress.Parse("10.6.0.2"), IPAddress.Parse("10.6.0.1"), PacketBuilder.Icmp, 4, PacketBuilder.IcmpMessage(3, 3, 0, snmp.AsSpan(0, 28))), fromClient: false),
        ];
    }

    /// <summary>An IPv4 packet with four NOP options after its header (header length 24; checksums are not checked).</summary>
    internal static byte[] WithNopOptions(byte[] packet)
    {
        byte[] optioned = new byte[packet.Length + 4];
        packet.AsSpan(0, 20).CopyTo(optioned);
        optioned.AsSpan(20, 4).Fill(1);
        packet.AsSpan(20).CopyTo(optioned.AsSpan(24));
        optioned[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(optioned.AsSpan(2), (ushort)optioned.Length);
        return optioned;
    }
}
