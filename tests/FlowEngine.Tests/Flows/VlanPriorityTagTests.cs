using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>
/// A priority tag (802.1Q with VLAN id 0) as Suricata's flow engine sees it: decode-vlan.c stores
/// id 0 and counts the tag (vlan_idx), the flow hash and compare read the ids only (vlan_id[]), so
/// the packet belongs to the untagged flow of its tuple; FlowInit copies the first packet's
/// vlan_idx, which the flow record's vlan array follows.
/// </summary>
public sealed class VlanPriorityTagTests
{
    private const FlowKeyTracking All = FlowKeyTracking.Vlan | FlowKeyTracking.Recursion;

    private readonly FlowHasher _hasher = new(7);
    private readonly RecordingSink _sink = new();

    [Fact]
    public void A_priority_tagged_packet_keys_as_the_untagged_one()
    {
        PacketLayer untagged = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        PacketLayer tagged = Tagged(untagged, 0);
        uint a = FlowKey.FromLayer(in untagged, All, _hasher, out FlowKey untaggedKey, out _);
        uint b = FlowKey.FromLayer(in tagged, All, _hasher, out FlowKey taggedKey, out _);
        Assert.True(FlowKey.Equal(ref untaggedKey, ref taggedKey));
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_vlan_with_a_priority_tag_inside_keys_as_the_vlan_alone()
    {
        PacketLayer single = Tagged(Udp("10.0.0.1", 1, "10.0.0.2", 2), 5);
        PacketLayer stacked = Tagged(single, 5, 0);
        FlowKey.FromLayer(in single, All, _hasher, out FlowKey a, out _);
        FlowKey.FromLayer(in stacked, All, _hasher, out FlowKey b, out _);
        Assert.True(FlowKey.Equal(ref a, ref b));

        PacketLayer other = Tagged(single, 6);
        FlowKey.FromLayer(in other, All, _hasher, out FlowKey c, out _);
        Assert.False(FlowKey.Equal(ref a, ref c));
    }

    [Fact]
    public void The_flow_record_counts_the_tags_of_its_first_packet()
    {
        FlowShard shard = Shard(_sink);
        PacketLayer request = Udp("10.0.0.1", 1000, "10.0.0.2", 53);
        PacketLayer reply = Udp("10.0.0.2", 53, "10.0.0.1", 1000);
        int tagged = shard.Send(Tagged(request, 0), 0);
        Assert.Equal(tagged, shard.Send(reply, 0.1));

        PacketLayer other = Udp("10.0.0.3", 1000, "10.0.0.2", 53);
        int untagged = shard.Send(other, 0.2);
        Assert.Equal(untagged, shard.Send(Tagged(Udp("10.0.0.2", 53, "10.0.0.3", 1000), 0), 0.3));

        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(2, _sink.Events.Count);
        FlowEndEvent first = Assert.Single(_sink.Events, e => e.Tuple.Source == Address("10.0.0.1"));
        Assert.Equal(1, first.VlanCount);
        Assert.Equal(0, first.Tuple.Vlan0);
        Assert.Equal((1L, 1L), (first.PacketsToServer, first.PacketsToClient));
        FlowEndEvent second = Assert.Single(_sink.Events, e => e.Tuple.Source == Address("10.0.0.3"));
        Assert.Equal(0, second.VlanCount);
        Assert.Equal((1L, 1L), (second.PacketsToServer, second.PacketsToClient));
    }

    [Fact]
    public void Without_vlan_tracking_the_record_has_no_tags()
    {
        FlowShard shard = Shard(_sink, options: new Configuration.FlowEngineOptions { VlanTracking = false });
        shard.Send(Tagged(Udp("10.0.0.1", 1000, "10.0.0.2", 53), 0), 0);
        shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal(0, Assert.Single(_sink.Events).VlanCount);
    }

    private static PacketLayer Tagged(PacketLayer layer, params ushort[] ids)
    {
        layer.VlanCount = (byte)ids.Length;
        layer.Vlan0 = ids[0];
        layer.Vlan1 = ids.Length > 1 ? ids[1] : (ushort)0;
        layer.Vlan2 = ids.Length > 2 ? ids[2] : (ushort)0;
        return layer;
    }
}
