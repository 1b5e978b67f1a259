using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Flows;

/// <summary>
/// Suricata 8's flow timeout at lookup: a packet whose flow was silent longer than its state's
/// timeout ends that flow and starts a new one, without waiting for a manager pass.
/// </summary>
public class LookupTimeoutTests
{
    private readonly RecordingSink _sink = new();

    public static TheoryData<string> Protocols => new() { "tcp", "udp", "icmp", "other" };

    [Theory]
    [MemberData(nameof(Protocols))]
    public void A_packet_after_its_flows_timeout_ends_that_flow_and_starts_a_new_one(string protocol)
    {
        // Every protocol's new-state timeout is 30 s by default.
        PacketLayer layer = protocol switch
        {
            "tcp" => Tcp("10.0.0.1", 40000, "10.0.0.2", 80, Syn),
            "udp" => Udp("10.0.0.1", 65445, "10.0.0.2", 4789),
            "icmp" => Layer("10.0.0.1", 8, "10.0.0.2", 0, IpProtocol.Icmp),
            _ => Layer("10.0.0.1", 0, "10.0.0.2", 0, 99),
        };
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(layer, 0);
        long firstId = shard.Table.RecordAt(slot).FlowId;
        shard.Send(layer, 10);

        // Silent 30.8 s: the next packet finds the flow timed out.
        int again = shard.Send(layer, 40.8);

        FlowEndEvent ended = Assert.Single(_sink.Events);
        Assert.Equal(firstId, ended.FlowId);
        Assert.Equal(FlowEndReason.Timeout, ended.Reason);
        Assert.Equal(2, ended.PacketsToServer);
        Assert.Equal(At(10), ended.EndNanoseconds);
        Assert.Equal(slot, again);
        Assert.NotEqual(firstId, shard.Table.RecordAt(again).FlowId);
        Assert.Equal(1, shard.Table.RecordAt(again).PacketsToServer);
        Assert.Equal(At(40.8), shard.Table.RecordAt(again).StartNanoseconds);
        Assert.Equal(1, shard.Table.Active);
        Assert.Equal(2, shard.Counters.Total);
        Assert.Equal(1, shard.Counters.EvictedAtLookup);
        Assert.Equal(0, shard.Counters.TimedOut);
    }

    [Fact]
    public void The_timeout_is_compared_to_the_packets_full_timestamp_as_suricata_8_compares_it()
    {
        PacketLayer layer = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        FlowShard shard = Shard(_sink);

        // A nanosecond short of 30 s of silence: the same flow.
        shard.Send(layer, 0.5);
        shard.Track(in layer, At(30.5) - 1, 100, 0, 0, 0, out _, out _);
        Assert.Empty(_sink.Events);

        // Exactly 30 s: timed out (the manager's pass ends a flow at the same instant).
        shard.Track(in layer, At(60.5) - 1, 100, 0, 0, 0, out _, out _);
        FlowEndEvent ended = Assert.Single(_sink.Events);
        Assert.Equal(2, ended.PacketsToServer);
    }

    [Fact]
    public void A_renewed_flow_keeps_the_other_flows_of_its_hash_chain_findable()
    {
        // One bucket: every flow shares one chain.
        FlowShard shard = Shard(_sink, options: new FlowEngineOptions { HashSize = 1 });
        PacketLayer a = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        PacketLayer b = Udp("10.0.0.3", 1, "10.0.0.4", 2);
        PacketLayer c = Udp("10.0.0.5", 1, "10.0.0.6", 2);
        shard.Send(a, 0);
        int bSlot = shard.Send(b, 0);
        shard.Send(c, 0);
        shard.Send(b, 20);
        shard.Send(c, 20);

        // a timed out (renewed in place); b and c did not.
        int aSlot = shard.Send(a, 31);
        Assert.Single(_sink.Events);
        Assert.Equal(bSlot, shard.Send(b, 32));
        Assert.Equal(aSlot, shard.Send(a, 33));
        Assert.Equal(3, shard.Table.Active);
        Assert.Equal(2, shard.Table.RecordAt(aSlot).PacketsToServer);
        Assert.Equal(3, shard.Table.RecordAt(bSlot).PacketsToServer);
    }

    [Fact]
    public void A_renewed_flow_starts_clean_not_bypassed_and_without_the_old_flows_storage()
    {
        PacketLayer layer = Udp("10.0.0.1", 1, "10.0.0.2", 2);
        FlowShard shard = Shard(_sink);
        int slot = shard.Send(layer, 0);
        shard.RequestBypass(slot);
        shard.Table.Storage[1][slot] = "detection state";
        Assert.True(shard.SendDropped(layer, 50));

        // Locally bypassed: the engine sees each packet, so 100 s (the bypassed timeout) of silence is silence.
        Assert.False(shard.SendDropped(layer, 151));
        FlowEndEvent ended = Assert.Single(_sink.Events);
        Assert.Equal(FlowState.LocalBypassed, ended.State);
        Assert.Equal(FlowState.New, shard.Table.Slots[slot].State);
        Assert.Null(shard.Table.Storage[1][slot]);
        Assert.Null(shard.GetBypassRecord(slot));
    }

    [Fact]
    public void A_flow_the_capture_bypassed_is_not_ended_at_lookup_however_old_its_last_seen_time()
    {
        var capture = new InMemoryBypassStrategy();
        PacketLayer clientToServer = Tcp("10.1.0.1", 40000, "10.1.0.2", 443, Ack, 100);
        FlowShard shard = Shard(_sink, capture);
        int slot = shard.Send(clientToServer, 0);
        shard.RequestBypass(slot);
        Assert.Equal(FlowState.CaptureBypassed, shard.Table.Slots[slot].State);
        long id = shard.Table.RecordAt(slot).FlowId;

        // The kernel drops the flow's packets for a long while: they never reach the lookup.
        for (int i = 1; i <= 30; i++)
        {
            Assert.True(shard.Deliver(capture, clientToServer, i * 10));
        }

        // One packet still reaches the engine (already in the ring): it belongs to the live bypassed flow.
        Assert.True(shard.SendDropped(clientToServer, 301));
        Assert.Empty(_sink.Events);
        Assert.Equal(id, shard.Table.RecordAt(slot).FlowId);
        Assert.Equal(0, shard.Counters.EvictedAtLookup);
    }

    [Fact]
    public void Emergency_mode_applies_its_shorter_timeouts_at_lookup()
    {
        // Defaults: UDP new 30 s, emergency new 10 s.
        var timeouts = new FlowStateTimeouts(FlowTimeoutTable.CreateDefault());
        var slot = new FlowSlot { TimeoutClass = FlowTimeoutClass.Udp, State = FlowState.New, LastSeenNanoseconds = At(0) };
        Assert.False(timeouts.TimedOutAtLookup(ref slot, At(11), emergency: false));
        Assert.True(timeouts.TimedOutAtLookup(ref slot, At(10), emergency: true));
        Assert.False(timeouts.TimedOutAtLookup(ref slot, At(9.5), emergency: true));

        slot.State = FlowState.CaptureBypassed;
        Assert.False(timeouts.TimedOutAtLookup(ref slot, At(1_000_000), emergency: true));
    }
}
