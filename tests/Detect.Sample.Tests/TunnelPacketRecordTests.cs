using System.Text.Json;
using Capture.Tests.Shared;

namespace Detect.Sample.Tests;

/// <summary>
/// The packet a record of a tunnel's inner packet or of a reassembled datagram describes, as
/// Suricata 8 writes it (<see cref="TunnelPacketCapture"/>'s records): the inner packet is a packet
/// of its own (decode.c <c>PacketTunnelPktSetup</c>), its bytes from the first byte after the
/// tunnel's header and its datalink DLT_RAW (12, <c>RAW</c>) even when it is an Ethernet frame, whose
/// header is then the record's <c>ether</c>; a datagram reassembled on the wire keeps the captured
/// frame's link header and link type (defrag.c: the first fragment's bytes, <c>tracker->datalink</c>),
/// one reassembled inside a tunnel the tunnel packet's.
/// </summary>
public sealed class TunnelPacketRecordTests(TunnelPacketCapture capture) : IClassFixture<TunnelPacketCapture>
{
    public static TheoryData<string, string, byte[]> InnerPackets => new()
    {
        { TunnelPacketCapture.GreSender, "gre tunnel", TunnelPacketCapture.Unreachable(TunnelPacketCapture.GreSender, 1) },
        { TunnelPacketCapture.IPInIPSender, "ipv4 tunnel", TunnelPacketCapture.Unreachable(TunnelPacketCapture.IPInIPSender, 3) },
        { TunnelPacketCapture.VxlanSender, "vxlan encapsulation", TunnelPacketCapture.Inner.Frame(TunnelPacketCapture.Unreachable(TunnelPacketCapture.VxlanSender, 5), fromClient: true) },
        { TunnelPacketCapture.GeneveSender, "geneve encapsulation", TunnelPacketCapture.Inner.Frame(TunnelPacketCapture.Unreachable(TunnelPacketCapture.GeneveSender, 7), fromClient: true) },
        { TunnelPacketCapture.ErspanSender, "gre tunnel", TunnelPacketCapture.ErspanII(TunnelPacketCapture.Inner.Frame(TunnelPacketCapture.Unreachable(TunnelPacketCapture.ErspanSender, 9), fromClient: true)) },
        { TunnelPacketCapture.GreDatagramSender, "defrag", TunnelPacketCapture.Reassembled(TunnelPacketCapture.GreDatagramSender, 11) },
    };

    [Theory]
    [MemberData(nameof(InnerPackets))]
    public void An_anomaly_of_a_tunnels_inner_packet_carries_that_packets_bytes_as_raw(string sender, string source, byte[] inner)
    {
        using JsonDocument doc = JsonDocument.Parse(Record("anomaly", sender));
        JsonElement e = doc.RootElement;
        Assert.Equal(source, e.GetProperty("pkt_src").GetString());
        Assert.Equal(Convert.ToBase64String(inner.AsSpan(0, 32)), e.GetProperty("packet").GetString());
        Assert.Equal(12, e.GetProperty("packet_info").GetProperty("linktype").GetInt32());
        Assert.Equal("RAW", e.GetProperty("packet_info").GetProperty("linktype_name").GetString());
    }

    [Fact]
    public void An_anomaly_of_a_datagram_reassembled_on_the_wire_keeps_the_frames_link_header_and_type()
    {
        using JsonDocument doc = JsonDocument.Parse(Record("anomaly", TunnelPacketCapture.WireDatagramSender));
        JsonElement e = doc.RootElement;
        byte[] frame = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, .. TunnelPacketCapture.Reassembled(TunnelPacketCapture.WireDatagramSender, 10)];
        Assert.Equal("defrag", e.GetProperty("pkt_src").GetString());
        Assert.Equal(Convert.ToBase64String(frame.AsSpan(0, 32)), e.GetProperty("packet").GetString());
        Assert.Equal(1, e.GetProperty("packet_info").GetProperty("linktype").GetInt32());
        Assert.Equal("EN10MB", e.GetProperty("packet_info").GetProperty("linktype_name").GetString());

        // Decoded from its IP header on: no Ethernet header of its own.
        Assert.False(e.TryGetProperty("ether", out _));
    }

    /// <summary>Suricata's <c>CreateJSONEther</c> reads the packet's own Ethernet header: an inner frame's is the tunnel packet's.</summary>
    [Theory]
    [InlineData("anomaly", TunnelPacketCapture.VxlanSender)]
    [InlineData("anomaly", TunnelPacketCapture.GeneveSender)]
    [InlineData("anomaly", TunnelPacketCapture.ErspanSender)]
    [InlineData("drop", TunnelPacketCapture.VxlanSender)]
    [InlineData("alert", TunnelPacketCapture.VxlanSender)]
    public void A_record_of_an_inner_ethernet_frame_carries_its_ether(string type, string sender)
    {
        using JsonDocument doc = JsonDocument.Parse(Record(type, sender));
        JsonElement ether = doc.RootElement.GetProperty("ether");
        Assert.Equal(0x0800, ether.GetProperty("ether_type").GetInt32());
        Assert.Equal("02:00:00:00:01:01", ether.GetProperty("src_mac").GetString());
        Assert.Equal("02:00:00:00:01:02", ether.GetProperty("dest_mac").GetString());
    }

    /// <summary>An inner IP packet has no Ethernet header, and its flow none recorded (all its packets are tunnel packets).</summary>
    [Theory]
    [InlineData("anomaly", TunnelPacketCapture.GreSender)]
    [InlineData("anomaly", TunnelPacketCapture.IPInIPSender)]
    [InlineData("drop", TunnelPacketCapture.GreSender)]
    [InlineData("alert", TunnelPacketCapture.IPInIPSender)]
    public void A_record_of_an_inner_ip_packet_has_no_ether(string type, string sender)
    {
        using JsonDocument doc = JsonDocument.Parse(Record(type, sender));
        Assert.False(doc.RootElement.TryGetProperty("ether", out _));
    }

    /// <summary>
    /// A packet without an Ethernet header of its own, of a flow that has seen one, carries the flow's
    /// first MACs, client's first, without <c>ether_type</c> (Suricata 8's <c>CreateJSONEther</c>,
    /// <c>MacSetGetFirst</c>): here the server's answer, reassembled.
    /// </summary>
    [Theory]
    [InlineData("alert", TunnelPacketCapture.AlertedFlowServer)]
    [InlineData("drop", TunnelPacketCapture.DroppedFlowServer)]
    public void A_reassembled_datagram_of_a_flow_with_ethernet_carries_the_flows_first_macs(string type, string server)
    {
        string line = Assert.Single(File.ReadLines(capture.Eve), l =>
        {
            using JsonDocument record = JsonDocument.Parse(l);
            JsonElement r = record.RootElement;
            return r.GetProperty("event_type").GetString() == type && r.GetProperty("pkt_src").GetString() == "defrag"
                && r.GetProperty("src_ip").GetString() == server;
        });
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement ether = doc.RootElement.GetProperty("ether");
        Assert.False(ether.TryGetProperty("ether_type", out _));
        Assert.Equal("02:00:00:00:00:01", ether.GetProperty("src_mac").GetString());
        Assert.Equal("02:00:00:00:00:02", ether.GetProperty("dest_mac").GetString());
    }

    /// <summary>Suricata's drop and alert records carry no packet bytes unless asked (alert <c>packet: yes</c>, which is off by default).</summary>
    [Theory]
    [InlineData("drop")]
    [InlineData("alert")]
    public void Drop_and_alert_records_carry_no_packet(string type)
    {
        using JsonDocument doc = JsonDocument.Parse(Record(type, TunnelPacketCapture.VxlanSender));
        Assert.False(doc.RootElement.TryGetProperty("packet", out _));
        Assert.False(doc.RootElement.TryGetProperty("packet_info", out _));
    }

    /// <summary>The schema is Suricata's, read from the shared suricata-verify subset beside the checkout.</summary>
    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_records_validate_against_the_eve_schema() => Assert.Empty(EveSchema.Violations(capture.Eve));

    private string Record(string type, string sender) => EveRecords.BySender(capture.Eve, type, sender);
}
