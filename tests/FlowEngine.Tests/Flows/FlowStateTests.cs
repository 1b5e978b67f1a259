using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

public class FlowStateTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public void Tcp_becomes_established_after_the_handshake_and_closed_after_both_fins()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Syn), 0);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
        shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 40000, Syn | Ack), 0.1);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
        shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Ack), 0.2);
        Assert.Equal(FlowState.Established, shard.Table.Slots[slot].State);
        shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Fin | Ack), 0.3);
        Assert.Equal(FlowState.Established, shard.Table.Slots[slot].State);
        shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 40000, Fin | Ack), 0.4);
        Assert.Equal(FlowState.Closed, shard.Table.Slots[slot].State);
    }

    [Theory]
    [InlineData(8, 0, -1, -1)]
    [InlineData(13, 1, 14, 3)]
    public void An_icmp_flow_keeps_the_type_and_code_of_its_first_packet_each_way(int type, int code, int replyType, int replyCode)
    {
        FlowShard shard = Shard(_sink);
        // The second packet each way has another type and code: the first one's stay.
        shard.Send(Icmp("10.0.0.1", "10.0.0.2", (byte)type, (byte)code), 0);
        shard.Send(Icmp("10.0.0.1", "10.0.0.2", 8, 5), 0.1);
        if (replyType >= 0)
        {
            shard.Send(Icmp("10.0.0.2", "10.0.0.1", (byte)replyType, (byte)replyCode), 0.2);
            shard.Send(Icmp("10.0.0.2", "10.0.0.1", 0, 7), 0.3);
        }

        shard.EndAll(FlowEndReason.Shutdown);
        FlowEndEvent end = Assert.Single(_sink.Events);
        Assert.Equal((type, code), (end.IcmpTypeToServer, end.IcmpCodeToServer));
        Assert.Equal(replyType >= 0 ? (replyType, replyCode) : (0, 0), (end.IcmpTypeToClient, end.IcmpCodeToClient));
        Assert.Equal(replyType >= 0 ? 2 : 0, end.PacketsToClient);
    }

    private static PacketLayer Icmp(string src, string dst, byte type, byte code)
    {
        PacketLayer layer = Layer(src, 0, dst, 0, IpProtocol.Icmp);
        layer.IcmpType = type;
        layer.IcmpCode = code;
        return layer;
    }

    [Fact]
    public void Tcp_reset_closes_a_new_flow()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 81, Syn), 0);
        shard.Send(Tcp("10.0.0.2", 81, "10.0.0.1", 40000, Rst | Ack), 0.1);
        Assert.Equal(FlowState.Closed, shard.Table.Slots[slot].State);
    }

    [Fact]
    public void A_midstream_tcp_flow_is_established_once_both_sides_acked()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Ack, 100), 0);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
        shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 40000, Ack), 0.1);
        Assert.Equal(FlowState.Established, shard.Table.Slots[slot].State);
    }

    [Fact]
    public void Udp_is_new_one_way_and_established_two_way()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Udp("10.0.0.1", 5000, "10.0.0.53", 53), 0);
        shard.Send(Udp("10.0.0.1", 5000, "10.0.0.53", 53), 0.1);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
        shard.Send(Udp("10.0.0.53", 53, "10.0.0.1", 5000), 0.2);
        Assert.Equal(FlowState.Established, shard.Table.Slots[slot].State);
        Assert.Equal(1, shard.Table.Active);
    }

    [Fact]
    public void Counters_keep_the_flow_direction_and_a_syn_ack_first_makes_its_receiver_the_client()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Tcp("10.0.0.2", 80, "10.0.0.1", 40000, Syn | Ack), 0, 60);
        shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Ack), 0.1, 54);
        shard.Send(Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Ack), 0.2, 54);
        ref FlowRecord r = ref shard.Table.Records[slot];
        Assert.Equal(2, r.PacketsToServer);
        Assert.Equal(108, r.BytesToServer);
        Assert.Equal(1, r.PacketsToClient);
        Assert.Equal(60, r.BytesToClient);
        Assert.Equal(Address("10.0.0.1"), shard.BuildTuple(slot).Source);
        Assert.Equal(80, shard.BuildTuple(slot).DestinationPort);
    }

    [Fact]
    public void An_icmp_error_counts_against_the_flow_it_refers_to_without_making_it_two_way()
    {
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(Udp("10.0.0.1", 5000, "10.0.0.9", 33434), 0);
        PacketLayer error = Udp("10.0.0.1", 5000, "10.0.0.9", 33434);
        error.Flags |= PacketLayerFlags.IcmpErrorForEmbedded;
        int errorSlot = shard.Track(in error, At(0.1), 70, 0, 0, 0, out bool toServer, out _);
        Assert.Equal(slot, errorSlot);
        Assert.False(toServer);
        Assert.Equal(1, shard.Table.Records[slot].PacketsToClient);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
    }

    [Fact]
    public void Tunnelled_flows_carry_their_parent_flow_id()
    {
        FlowShard shard = Shard(_sink);
        PacketLayer outer = Layer("192.0.2.1", 0, "192.0.2.2", 0, 47);
        PacketLayer inner = Udp("10.0.0.1", 1000, "10.0.0.2", 2000);
        inner.TunnelDepth = 1;
        int outerSlot = shard.Track(in outer, At(0), 120, 0, 0, 0, out _, out _);
        long parent = shard.Table.Records[outerSlot].FlowId;
        int innerSlot = shard.Track(in inner, At(0), 96, 0, 0, parent, out _, out _);
        Assert.NotEqual(outerSlot, innerSlot);
        shard.EndAll(FlowEndReason.Shutdown);
        FlowEndEvent innerEnd = _sink.Events.Single(e => e.Tuple.TunnelDepth == 1);
        Assert.Equal(parent, innerEnd.TunnelParentFlowId);
        Assert.Equal(0, _sink.Events.Single(e => e.Tuple.TunnelDepth == 0).TunnelParentFlowId);
    }
}
