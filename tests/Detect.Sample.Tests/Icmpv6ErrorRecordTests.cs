using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// The records of ICMPv6 errors quoting a UDP query, run as a process: Suricata keys an ICMPv6
/// error as the ICMPv6 packet it is (flow-hash.c reads a quote for ICMPv4 destination unreachable
/// only; decode-icmpv6.c makes p->sp the type and code, p->dp no answer type), so the error is a
/// flow of its own, its alerts and anomalies carry that flow's flow_id and direction, and the
/// quoted UDP flow counts only its own packets.
/// </summary>
public sealed class Icmpv6ErrorRecordTests : IDisposable
{
    private const string Rules = "alert ip any any -> any any (msg:\"v6 port unreachable\"; itype:1; icode:4; sid:3;)\n";

    private const string Yaml = "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n        - flow\n";

    private const string Client = "2001:0db8:0000:0000:0000:0000:0000:0001";
    private const string Server = "2001:0db8:0000:0000:0000:0000:0000:0002";
    private const string Router = "2001:0db8:0000:0000:0000:0000:0000:00fe";

    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-icmpv6-error-");
    private readonly EveLog _eve;

    public Icmpv6ErrorRecordTests()
    {
        _eve = new EveLog(DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml));
    }

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_error_is_a_flow_of_its_own_named_by_its_type_and_code()
    {
        JsonElement flow = ErrorFlow();
        Assert.Equal(Server, flow.GetProperty("dest_ip").GetString());
        Assert.Equal("IPv6-ICMP", flow.GetProperty("proto").GetString());
        Assert.Equal(1, flow.GetProperty("icmp_type").GetInt32());
        Assert.Equal(4, flow.GetProperty("icmp_code").GetInt32());
        Assert.False(flow.TryGetProperty("src_port", out _), flow.ToString());
        Assert.False(flow.TryGetProperty("response_icmp_type", out _), flow.ToString());
        Assert.Equal(1, flow.GetProperty("flow").GetProperty("pkts_toserver").GetInt32());
        Assert.Equal(0, flow.GetProperty("flow").GetProperty("pkts_toclient").GetInt32());
    }

    [Fact]
    public void The_quoted_udp_flow_counts_only_its_own_packet()
    {
        JsonElement flow = Assert.Single(_eve.Flows, f => f.GetProperty("proto").GetString() == "UDP");
        Assert.Equal(Server, flow.GetProperty("src_ip").GetString());
        Assert.Equal(40001, flow.GetProperty("src_port").GetInt32());
        Assert.Equal(1, flow.GetProperty("flow").GetProperty("pkts_toserver").GetInt32());
        Assert.Equal(0, flow.GetProperty("flow").GetProperty("pkts_toclient").GetInt32());
        Assert.Equal(3, _eve.Flows.Count);
    }

    [Fact]
    public void An_alert_on_the_error_is_written_under_the_errors_flow()
    {
        JsonElement alert = Assert.Single(_eve.Alerts);
        AssertIcmpHeader(alert, Client, Server, type: 1, code: 4);
        Assert.Equal(ErrorFlow().GetProperty("flow_id").GetInt64(), alert.GetProperty("flow_id").GetInt64());
        Assert.Equal("to_server", alert.GetProperty("direction").GetString());
        Assert.Equal(Client, alert.GetProperty("flow").GetProperty("src_ip").GetString());
        Assert.False(alert.GetProperty("flow").TryGetProperty("src_port", out _), alert.ToString());
    }

    [Fact]
    public void An_anomaly_of_an_error_with_a_short_quote_is_written_under_the_errors_flow()
    {
        JsonElement anomaly = Assert.Single(_eve.OfType("anomaly"));
        Assert.Equal("decoder.icmpv6.ipv6_trunc_pkt", anomaly.GetProperty("anomaly").GetProperty("event").GetString());
        AssertIcmpHeader(anomaly, Router, Server, type: 3, code: 0);
        JsonElement flow = Assert.Single(_eve.Flows, f => f.GetProperty("src_ip").GetString() == Router);
        Assert.Equal(flow.GetProperty("flow_id").GetInt64(), anomaly.GetProperty("flow_id").GetInt64());
        Assert.Equal(3, flow.GetProperty("icmp_type").GetInt32());
    }

    private static void AssertIcmpHeader(JsonElement record, string source, string destination, int type, int code)
    {
        Assert.Equal(source, record.GetProperty("src_ip").GetString());
        Assert.Equal(destination, record.GetProperty("dest_ip").GetString());
        Assert.Equal("IPv6-ICMP", record.GetProperty("proto").GetString());
        Assert.Equal(type, record.GetProperty("icmp_type").GetInt32());
        Assert.Equal(code, record.GetProperty("icmp_code").GetInt32());
        Assert.False(record.TryGetProperty("src_port", out _), record.ToString());
        Assert.False(record.TryGetProperty("dest_port", out _), record.ToString());
    }

    private JsonElement ErrorFlow() => Assert.Single(_eve.Flows, f => f.GetProperty("src_ip").GetString() == Client);

    /// <summary>
    /// A DNS query 2001:db8::2:40001 → 2001:db8::1:53 and the port unreachable (code 4) that answers
    /// it, quoting its IPv6 and UDP headers; a router's time exceeded to the server quoting 20
    /// bytes only (short of an IPv6 header: Suricata's icmpv6.ipv6_trunc_pkt).
    /// </summary>
    private static byte[][] Frames()
    {
        IPAddress client = IPAddress.Parse("2001:db8::1");
        IPAddress server = IPAddress.Parse("2001:db8::2");
        byte[] query = PacketBuilder.IPv6(server, client, PacketBuilder.Udp, PacketBuilder.UdpDatagram(40001, 53, new byte[12]));
        byte[] unreachable = PacketBuilder.IcmpMessage(1, 4, 0, query.AsSpan(0, 48));
        byte[] exceeded = PacketBuilder.IcmpMessage(3, 0, 0, query.AsSpan(0, 20));
        return
        [
            Wire.Frame(query, fromClient: false),
            Wire.Frame(PacketBuilder.IPv6(client, server, PacketBuilder.Icmpv6, unreachable), fromClient: true),
            Wire.Frame(PacketBuilder.IPv6(IPAddress.Parse("2001:db8::fe"), server, PacketBuilder.Icmpv6, exceeded), fromClient: true),
        ];
    }
}
