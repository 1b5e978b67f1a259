using FlowEngine.Decode;
using FlowEngine.Flows;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

public class FlowKeyTests
{
    private const FlowKeyTracking All = FlowKeyTracking.Vlan | FlowKeyTracking.Recursion;

    private readonly FlowHasher _hasher = new(7);

    [Fact]
    public void Both_directions_make_one_key_and_hash()
    {
        PacketLayer forward = Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Syn);
        PacketLayer reverse = Tcp("10.0.0.2", 80, "10.0.0.1", 40000, Syn | Ack);
        FlowKey.FromLayer(in forward, All, _hasher, out FlowKey a, out bool aLow);
        FlowKey.FromLayer(in reverse, All, _hasher, out FlowKey b, out bool bLow);
        Assert.True(FlowKey.Equal(ref a, ref b));
        Assert.NotEqual(aLow, bLow);
        Assert.Equal(_hasher.Hash(ref a), _hasher.Hash(ref b));
    }

    [Fact]
    public void Same_addresses_are_ordered_by_port()
    {
        PacketLayer forward = Udp("10.0.0.1", 5000, "10.0.0.1", 53);
        PacketLayer reverse = Udp("10.0.0.1", 53, "10.0.0.1", 5000);
        FlowKey.FromLayer(in forward, All, _hasher, out FlowKey a, out bool aLow);
        FlowKey.FromLayer(in reverse, All, _hasher, out FlowKey b, out bool bLow);
        Assert.True(FlowKey.Equal(ref a, ref b));
        Assert.NotEqual(aLow, bLow);
    }

    [Fact]
    public void Icmp_echo_request_and_reply_share_a_flow_a_reply_the_requests_way_does_not()
    {
        // The decoder's ICMP "ports": the type, and the type of its answer (Suricata's icmp_s, icmp_d).
        PacketLayer request = Layer("192.168.1.1", 8, "192.168.1.9", 0, 1);
        PacketLayer reply = Layer("192.168.1.9", 0, "192.168.1.1", 8, 1);
        PacketLayer replySameWay = Layer("192.168.1.1", 0, "192.168.1.9", 8, 1);
        FlowKey.FromLayer(in request, All, _hasher, out FlowKey a, out _);
        FlowKey.FromLayer(in reply, All, _hasher, out FlowKey b, out _);
        FlowKey.FromLayer(in replySameWay, All, _hasher, out FlowKey c, out _);
        Assert.True(FlowKey.Equal(ref a, ref b));
        Assert.False(FlowKey.Equal(ref a, ref c));
    }

    [Fact]
    public void Tunnel_depth_separates_flows_only_when_recursion_tracking_is_on()
    {
        PacketLayer outer = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        PacketLayer inner = outer;
        inner.TunnelDepth = 1;
        FlowKey.FromLayer(in outer, All, _hasher, out FlowKey a, out _);
        FlowKey.FromLayer(in inner, All, _hasher, out FlowKey b, out _);
        Assert.False(FlowKey.Equal(ref a, ref b));
        uint outerHash = FlowKey.FromLayer(in outer, FlowKeyTracking.Vlan, _hasher, out a, out _);
        uint innerHash = FlowKey.FromLayer(in inner, FlowKeyTracking.Vlan, _hasher, out b, out _);
        Assert.True(FlowKey.Equal(ref a, ref b));
        Assert.Equal(outerHash, innerHash);
    }

    [Fact]
    public void Vlan_ids_separate_flows_only_when_tracking_is_on()
    {
        PacketLayer first = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        first.VlanCount = 1;
        first.Vlan0 = 100;
        PacketLayer second = first;
        second.Vlan0 = 200;
        FlowKey.FromLayer(in first, All, _hasher, out FlowKey a, out _);
        FlowKey.FromLayer(in second, All, _hasher, out FlowKey b, out _);
        Assert.False(FlowKey.Equal(ref a, ref b));
        FlowKey.FromLayer(in first, FlowKeyTracking.Recursion, _hasher, out a, out _);
        FlowKey.FromLayer(in second, FlowKeyTracking.Recursion, _hasher, out b, out _);
        Assert.True(FlowKey.Equal(ref a, ref b));
    }

    [Fact]
    public void Three_vlan_ids_and_tunnel_depth_are_part_of_the_key()
    {
        PacketLayer first = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        first.VlanCount = 3;
        first.Vlan0 = 1;
        first.Vlan1 = 2;
        first.Vlan2 = 3;
        PacketLayer thirdDiffers = first;
        thirdDiffers.Vlan2 = 4;
        PacketLayer deeper = first;
        deeper.TunnelDepth = 1;
        FlowKey.FromLayer(in first, All, _hasher, out FlowKey a, out _);
        FlowKey.FromLayer(in thirdDiffers, All, _hasher, out FlowKey b, out _);
        FlowKey.FromLayer(in deeper, All, _hasher, out FlowKey c, out _);
        Assert.False(FlowKey.Equal(ref a, ref b));
        Assert.False(FlowKey.Equal(ref a, ref c));
    }

    [Fact]
    public void The_key_words_hold_each_field_and_the_returned_hash_is_the_keys()
    {
        // The key is assembled as whole 64-bit words: each field must still land in its own place.
        PacketLayer layer = Udp("10.0.0.9", 5353, "10.0.0.2", 53);
        layer.TunnelDepth = 2;
        layer.VlanCount = 3;
        layer.Vlan0 = 0x1064;
        layer.Vlan1 = 200;
        layer.Vlan2 = 300;
        uint hash = FlowKey.FromLayer(in layer, All, _hasher, out FlowKey key, out bool sourceIsLow);

        Assert.False(sourceIsLow);
        Assert.Equal(layer.Destination, key.Low);
        Assert.Equal(layer.Source, key.High);
        Assert.Equal(53, key.LowPort);
        Assert.Equal(5353, key.HighPort);
        Assert.Equal(17, key.Protocol);
        Assert.Equal(2, key.TunnelDepth);
        Assert.Equal(0, key.IsIPv6);
        Assert.Equal(0, key.Unused);
        Assert.Equal(0x064, key.Vlan0);
        Assert.Equal(200, key.Vlan1);
        Assert.Equal(300, key.Vlan2);
        Assert.Equal(0, key.Reserved);
        Assert.Equal(_hasher.Hash(ref key), hash);

        layer.IsIPv6 = true;
        FlowKey.FromLayer(in layer, FlowKeyTracking.Recursion, _hasher, out FlowKey untagged, out _);
        Assert.Equal(1, untagged.IsIPv6);
        Assert.Equal(0, untagged.Vlan0);
    }

    [Fact]
    public void The_hash_depends_on_the_run_secret()
    {
        PacketLayer layer = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        FlowKey.FromLayer(in layer, All, _hasher, out FlowKey key, out _);
        Assert.NotEqual(new FlowHasher(1).Hash(ref key), new FlowHasher(2).Hash(ref key));
    }

    [Fact]
    public void Flow_ids_are_unique_positive_and_within_51_bits_as_suricata_masks_them()
    {
        HashSet<long> ids = [];
        for (ulong i = 1; i <= 100_000; i++)
        {
            long id = _hasher.FlowId(i, 3);
            Assert.True(id is > 0 and <= 0x7_FFFF_FFFF_FFFF, $"{id:x}");
            Assert.True(ids.Add(id));
        }
    }
}
