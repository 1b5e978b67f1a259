using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// Records of priority-tagged frames (802.1Q, VLAN id 0), run as a process in simulated IPS mode:
/// Suricata's decode-vlan.c stores id 0 and counts the tag (p->vlan_idx), and CreateEveHeader
/// writes <c>vlan</c> for every counted tag, so an alert, drop or anomaly of such a frame says
/// <c>"vlan":[0]</c>. The flow key reads the ids only, so the tagged and untagged packets of a
/// tuple make one flow, whose record follows its first packet's tags (FlowInit's vlan_idx).
/// </summary>
public sealed class VlanPriorityTagRecordTests : IDisposable
{
    private const string Rules = "drop udp any any -> any any (msg:\"udp\"; sid:1;)\n";

    private const string Yaml = "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n        - drop\n        - flow\n";

    private static readonly int[] PriorityTag = [0];
    private static readonly int[] Vlan7AndPriorityTag = [7, 0];
    private static readonly byte[] ClientMac = [2, 0, 0, 0, 0, 1];
    private static readonly byte[] ServerMac = [2, 0, 0, 0, 0, 2];
    private static readonly Link Tagged = new(ClientMac, ServerMac, vlans: [0]);
    private static readonly Link Untagged = new(ClientMac, ServerMac);
    private static readonly Link Vlan7WithPriorityTag = new(ClientMac, ServerMac, vlans: [7, 0]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-priority-tag-");
    private readonly EveLog _eve;

    public VlanPriorityTagRecordTests()
    {
        _eve = new EveLog(DetectHostProcess.RunSimulatedIps(_work, Frames(), Rules, Yaml));
    }

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_alert_and_drop_of_a_priority_tagged_frame_carry_vlan_0()
    {
        Assert.Equal(PriorityTag, Vlans(Assert.Single(_eve.Alerts, a => PcapCount(a) == 1)));
        Assert.Equal(PriorityTag, Vlans(Assert.Single(_eve.OfType("drop"), d => PcapCount(d) == 1)));
    }

    [Fact]
    public void An_untagged_frame_has_no_vlan_and_a_priority_tag_inside_a_vlan_is_written()
    {
        Assert.Null(Vlans(Assert.Single(_eve.Alerts, a => PcapCount(a) == 3)));
        Assert.Equal(Vlan7AndPriorityTag, Vlans(Assert.Single(_eve.Alerts, a => PcapCount(a) == 5)));
        Assert.Equal(3, _eve.Alerts.Count);
    }

    [Fact]
    public void The_anomaly_of_a_priority_tagged_frame_carries_vlan_0()
    {
        JsonElement anomaly = Assert.Single(_eve.OfType("anomaly"));
        Assert.Equal("decoder.ipv4.opt_pad_required", anomaly.GetProperty("anomaly").GetProperty("event").GetString());
        Assert.Equal(PriorityTag, Vlans(anomaly));
    }

    [Fact]
    public void Tagged_and_untagged_packets_of_a_tuple_are_one_flow_recorded_with_its_first_packets_tags()
    {
        JsonElement taggedFirst = Assert.Single(_eve.Flows, f => Port(f) == 40000);
        Assert.Equal(PriorityTag, Vlans(taggedFirst));
        Assert.Equal(2, EveLog.Packets(taggedFirst));

        JsonElement untaggedFirst = Assert.Single(_eve.Flows, f => Port(f) == 40001);
        Assert.Null(Vlans(untaggedFirst));
        Assert.Equal(2, EveLog.Packets(untaggedFirst));

        Assert.Equal(Vlan7AndPriorityTag, Vlans(Assert.Single(_eve.Flows, f => Port(f) == 40002)));
        Assert.Equal(3, _eve.Flows.Count);
    }

    private static int PcapCount(JsonElement record) => record.GetProperty("pcap_cnt").GetInt32();

    private static int Port(JsonElement record) => record.GetProperty("src_port").GetInt32();

    private static int[]? Vlans(JsonElement record) =>
        record.TryGetProperty("vlan", out JsonElement vlan) ? [.. vlan.EnumerateArray().Select(v => v.GetInt32())] : null;

    /// <summary>
    /// UDP 10.7.0.1:40000 → 10.7.0.2:53 priority-tagged (its IPv4 header with 4 bytes of options
    /// not padded to 8, a decoder event), then untagged; 10.7.0.1:40001 untagged, then
    /// priority-tagged; 10.7.0.1:40002 on VLAN 7 with a priority tag inside.
    /// </summary>
    private static byte[][] Frames()
    {
        IPAddress client = IPAddress.Parse("10.7.0.1");
        IPAddress server = IPAddress.Parse("10.7.0.2");
        byte[] Query(ushort port, ushort id) => PacketBuilder.IPv4(client, server, PacketBuilder.Udp, id, PacketBuilder.UdpDatagram(port, 53, new byte[12]));
        return
        [
            Tagged.Frame(IcmpErrorRecordTests.WithNopOptions(Query(40000, 1)), fromClient: true),
            Untagged.Frame(Query(40000, 2), fromClient: true),
            Untagged.Frame(Query(40001, 3), fromClient: true),
            Tagged.Frame(Query(40001, 4), fromClient: true),
            Vlan7WithPriorityTag.Frame(Query(40002, 5), fromClient: true),
        ];
    }
}
