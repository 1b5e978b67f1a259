using System.Text.Json;
using Capture.Tests.Shared;

namespace Detect.Sample.Tests;

/// <summary>
/// What the records made from a packet (anomaly, drop) say of where it came from, as Suricata's
/// <c>CreateEveHeader</c> (<c>CreateEveFlowId</c>) and <c>EvePacket</c> write it: <c>parent_id</c>, the
/// tunnel's flow, after <c>flow_id</c> for a packet of a flow inside a tunnel; <c>packet_info</c>'s
/// link type and its name (<see cref="TunnelledRecordCapture"/>'s records).
/// </summary>
public sealed class RecordOriginTests(TunnelledRecordCapture capture) : IClassFixture<TunnelledRecordCapture>
{
    [Theory]
    [InlineData("anomaly")]
    [InlineData("drop")]
    public void A_record_of_a_packet_of_a_tunnelled_flow_names_the_tunnels_flow_in_parent_id(string type)
    {
        string line = Record(type, TunnelledRecordCapture.TunnelledSender);
        Assert.Equal(["timestamp", "flow_id", "parent_id", "pcap_cnt", "event_type"], EveKeys.Of(line)[..5]);
        using JsonDocument doc = JsonDocument.Parse(line);
        using JsonDocument tunnel = JsonDocument.Parse(Record("flow", TunnelledRecordCapture.TunnelSender));
        Assert.Equal(tunnel.RootElement.GetProperty("flow_id").GetInt64(), doc.RootElement.GetProperty("parent_id").GetInt64());
    }

    [Theory]
    [InlineData("anomaly")]
    [InlineData("drop")]
    public void A_record_of_a_packet_on_the_wire_has_no_parent_id(string type) =>
        Assert.Equal(["timestamp", "flow_id", "pcap_cnt", "event_type"], EveKeys.Of(Record(type, TunnelledRecordCapture.WireSender))[..4]);

    [Fact]
    public void An_anomalys_packet_info_names_the_ethernet_link_type_as_suricata_does()
    {
        using JsonDocument doc = JsonDocument.Parse(Record("anomaly", TunnelledRecordCapture.WireSender));
        JsonElement info = doc.RootElement.GetProperty("packet_info");
        Assert.Equal(1, info.GetProperty("linktype").GetInt32());
        Assert.Equal("EN10MB", info.GetProperty("linktype_name").GetString());
    }

    /// <summary>The schema is Suricata's, read from the shared suricata-verify subset beside the checkout.</summary>
    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_records_validate_against_the_eve_schema() => Assert.Empty(EveSchema.Violations(capture.Eve));

    private string Record(string type, string sender) => EveRecords.BySender(capture.Eve, type, sender);
}
