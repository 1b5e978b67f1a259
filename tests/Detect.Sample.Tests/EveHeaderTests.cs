using System.Text.Json;
using Capture.Tests.Shared;

namespace Detect.Sample.Tests;

/// <summary>
/// The header of the records made from a packet (alert, anomaly, drop) as Suricata's
/// <c>CreateEveHeader</c> writes it, key by key in its order: <c>timestamp</c>, <c>flow_id</c>,
/// <c>pcap_cnt</c>, <c>event_type</c>, the addresses and ports, <c>proto</c>, <c>ip_v</c>,
/// <c>icmp_type</c> and <c>icmp_code</c> (an ICMP packet), <c>pkt_src</c>, <c>ether</c>,
/// <c>community_id</c>; then each logger's own keys (<see cref="EveHeaderCapture"/>'s records).
/// </summary>
public sealed class EveHeaderTests : IClassFixture<EveHeaderCapture>
{
    public EveHeaderTests(EveHeaderCapture capture)
    {
        Eve = capture.Eve;
    }

    private string Eve { get; }

    [Fact]
    public void An_icmp_alert_has_icmp_type_and_code_after_proto_and_ip_v()
    {
        string line = Record("alert", "10.0.0.1");
        Assert.Equal(
            ["timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "icmp_type", "icmp_code", "pkt_src", "ether", "community_id", "alert", "direction", "flow"],
            EveKeys.Of(line));
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(8, doc.RootElement.GetProperty("icmp_type").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("icmp_code").GetInt32());
    }

    [Fact]
    public void An_icmpv6_alert_has_the_icmpv6_type_and_code()
    {
        string line = Record("alert", "2001:db8::1");
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(6, doc.RootElement.GetProperty("ip_v").GetInt32());
        Assert.Equal("IPv6-ICMP", doc.RootElement.GetProperty("proto").GetString());
        Assert.Equal(128, doc.RootElement.GetProperty("icmp_type").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("icmp_code").GetInt32());
        Assert.Equal(EveKeys.Of(Record("alert", "10.0.0.1")), EveKeys.Of(line));
    }

    [Fact]
    public void An_icmp_anomaly_has_icmp_type_and_code()
    {
        // Destination unreachable with a code Suricata does not define: decoder.icmpv4.unknown_code.
        string line = Record("anomaly", "10.1.0.1");
        Assert.Equal(
            ["timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "icmp_type", "icmp_code", "pkt_src", "ether", "community_id", "anomaly"],
            EveKeys.Of(line));
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(3, doc.RootElement.GetProperty("icmp_type").GetInt32());
        Assert.Equal(99, doc.RootElement.GetProperty("icmp_code").GetInt32());
        Assert.Equal("decoder.icmpv4.unknown_code", doc.RootElement.GetProperty("anomaly").GetProperty("event").GetString());
    }

    [Fact]
    public void A_tcp_alert_has_ports_and_no_icmp_fields_and_its_direction_after_the_alert()
    {
        Assert.Equal(
            ["timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "src_port", "dest_ip", "dest_port", "proto", "ip_v", "pkt_src", "ether", "community_id", "alert", "direction", "flow"],
            EveKeys.Of(Record("alert", "10.2.0.1")));
    }

    [Fact]
    public void An_alert_on_a_tunnels_inner_icmp_packet_has_its_icmp_fields_and_no_ether_of_the_outer_frame()
    {
        string line = Record("alert", "10.4.0.1");
        Assert.Equal(
            ["timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "icmp_type", "icmp_code", "pkt_src", "community_id", "alert", "tunnel", "direction", "flow"],
            EveKeys.Of(line));
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(8, doc.RootElement.GetProperty("icmp_type").GetInt32());
        Assert.Equal("gre tunnel", doc.RootElement.GetProperty("pkt_src").GetString());
    }

    [Fact]
    public void A_drop_record_has_the_header_then_its_direction_then_drop()
    {
        string[] keys = EveKeys.Of(Record("drop", "10.0.0.1"));
        Assert.Equal(
            ["timestamp", "flow_id", "pcap_cnt", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "icmp_type", "icmp_code", "pkt_src", "ether", "community_id", "direction", "drop"],
            keys[..15]);
    }

    [Fact]
    public void A_packet_without_ip_has_no_addresses_protocol_or_ip_version_but_its_whole_ethernet_header()
    {
        string line = Assert.Single(File.ReadLines(Eve), l => l.Contains("\"event\":\"decoder.ethernet.unknown_ethertype\"", StringComparison.Ordinal));
        Assert.Equal(["timestamp", "pcap_cnt", "event_type", "pkt_src", "ether", "anomaly"], EveKeys.Of(line));
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement ether = doc.RootElement.GetProperty("ether");
        Assert.Equal(0xFBB7, ether.GetProperty("ether_type").GetInt32());
        Assert.Equal("02:00:00:00:00:01", ether.GetProperty("src_mac").GetString());
        Assert.Equal("02:00:00:00:00:02", ether.GetProperty("dest_mac").GetString());
    }

    /// <summary>The schema is Suricata's, read from the shared suricata-verify subset beside the checkout.</summary>
    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_records_validate_against_the_eve_schema() => Assert.Empty(EveSchema.Violations(Eve));

    /// <summary>The one record of <paramref name="type"/> whose sender is <paramref name="sender"/>, as written.</summary>
    private string Record(string type, string sender) => EveRecords.BySender(Eve, type, sender);
}
