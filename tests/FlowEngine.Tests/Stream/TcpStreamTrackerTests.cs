using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Stream;
using static FlowEngine.Tests.Flows.TestFlows;

namespace FlowEngine.Tests.Stream;

public class TcpStreamTrackerTests
{
    private const byte Psh = 0x08;

    [Fact]
    public void A_session_goes_through_the_handshake_the_data_and_both_fins_without_an_event()
    {
        var c = new TcpConversation();
        c.ToServer(Syn, 1000, 0);
        Assert.Equal(TcpState.SynSent, c.State);
        c.ToClient(Syn | Ack, 5000, 1001);
        Assert.Equal(TcpState.SynRecv, c.State);
        c.ToServer(Ack, 1001, 5001);
        Assert.Equal(TcpState.Established, c.State);
        c.ToServer(Psh | Ack, 1001, 5001, payload: 100);
        c.ToClient(Ack, 5001, 1101);
        c.ToClient(Psh | Ack, 5001, 1101, payload: 200);
        c.ToServer(Ack, 1101, 5201);
        c.ToServer(Fin | Ack, 1101, 5201);
        Assert.Equal(TcpState.CloseWait, c.State);
        c.ToClient(Fin | Ack, 5201, 1102);
        Assert.Equal(TcpState.LastAck, c.State);
        c.ToServer(Ack, 1102, 5202);
        Assert.Equal(TcpState.Closed, c.State);
        Assert.Empty(c.Events);
        Assert.Equal(1, c.Shard.Counters.TcpSessions);
    }

    [Fact]
    public void A_reset_with_a_zero_timestamp_after_a_timestamped_handshake_is_an_invalid_timestamp()
    {
        // output-eve-anomaly-03: the server's RST carries TSval 0, which PAWS refuses (BSD policy).
        var c = new TcpConversation().Handshake(timestamps: true);
        c.ToServer(Psh | Ack, 1001, 5001, payload: 10, tsVal: 102, tsEcr: 200);
        Assert.Empty(c.Events);
        c.ToClient(Rst | Ack, 5001, 1011, tsVal: 0, tsEcr: 102);
        Assert.Equal([StreamEvent.PacketInvalidTimestamp], c.Events);
        Assert.Equal(TcpState.Established, c.State);
        Assert.False(c.Dropped, "not inline");
    }

    [Fact]
    public void A_timestamp_going_back_is_refused_and_one_going_forward_is_kept()
    {
        // As in Suricata, a packet's TSval becomes the sender's last only when it is the next in
        // sequence after the packet is taken (an ACK without data; a data packet moved next_seq on).
        var c = new TcpConversation().Handshake(timestamps: true);
        c.ToServer(Ack, 1001, 5001, tsVal: 150, tsEcr: 200);
        Assert.Empty(c.Events);
        c.ToServer(Ack, 1001, 5001, tsVal: 149, tsEcr: 200);
        Assert.Equal([StreamEvent.PacketInvalidTimestamp], c.Events);
        c.ToServer(Ack, 1001, 5001, tsVal: 151, tsEcr: 200);
        Assert.Empty(c.Events);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_client_that_uses_a_zero_timestamp_is_refused_by_a_bsd_server_and_taken_by_a_windows_one(bool windowsServer, bool invalid)
    {
        var options = new TcpStreamOptions();
        if (windowsServer)
        {
            options.HostOsPolicies.Add(new HostOsPolicy(System.Net.IPNetwork.Parse("10.0.0.0/24"), OsPolicy.Windows));
        }

        var c = new TcpConversation(options);
        c.ToServer(Syn, 1000, 0, tsVal: 0);
        c.ToClient(Syn | Ack, 5000, 1001, tsVal: 200, tsEcr: 0);
        c.ToServer(Ack, 1001, 5001, tsVal: 0, tsEcr: 200);
        Assert.Equal(invalid, c.Events.Contains(StreamEvent.PacketInvalidTimestamp));
        Assert.Equal(invalid ? TcpState.SynRecv : TcpState.Established, c.State);
    }

    [Theory]
    [InlineData(OsPolicy.Bsd, false)]
    [InlineData(OsPolicy.Linux, true)]
    public void A_reset_inside_the_window_but_past_next_seq_is_valid_only_for_linux_like_hosts(OsPolicy serverPolicy, bool closes)
    {
        var options = new TcpStreamOptions();
        options.HostOsPolicies.Add(new HostOsPolicy(System.Net.IPNetwork.Parse("10.0.0.2/32"), serverPolicy));
        var c = new TcpConversation(options).Handshake();
        c.ToServer(Rst, 1001 + 10, 0);
        Assert.Equal(closes ? TcpState.Closed : TcpState.Established, c.State);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Data_after_the_syn_ack_with_the_wrong_numbers_breaks_the_handshake_and_is_dropped_inline(bool inline, bool dropped)
    {
        // firewall/tcp-session-stream-out-of-window: the client's data is 100000 bytes past its ISN.
        var c = new TcpConversation(new TcpStreamOptions { Inline = inline });
        c.ToServer(Syn, 1000, 0, window: 256);
        c.ToClient(Syn | Ack, 5000, 1001, window: 256);
        c.ToServer(Psh | Ack, 100001, 1, payload: 11, window: 256);
        Assert.Equal([StreamEvent.ThreeWhsWrongSeqWrongAck], c.Events);
        Assert.Equal(dropped, c.Dropped);
        Assert.Equal(TcpState.SynRecv, c.State);
    }

    [Fact]
    public void A_syn_ack_that_does_not_acknowledge_the_syn_is_refused()
    {
        var c = new TcpConversation();
        c.ToServer(Syn, 1000, 0);
        c.ToClient(Syn | Ack, 5000, 777);
        Assert.Equal([StreamEvent.ThreeWhsSynAckWithWrongAck], c.Events);
        Assert.Equal(TcpState.SynSent, c.State);
        c.ToServer(Syn | Ack, 1000, 5001);
        Assert.Equal([StreamEvent.ThreeWhsSynAckInWrongDirection], c.Events);
    }

    [Fact]
    public void Data_beyond_the_receivers_window_is_out_of_window()
    {
        var c = new TcpConversation().Handshake();

        // The server's SYN/ACK advertised 1024 bytes.
        c.ToServer(Psh | Ack, 1001 + 2000, 5001, payload: 100);
        Assert.Equal([StreamEvent.EstablishedPacketOutOfWindow], c.Events);
        c.ToServer(Psh | Ack, 1001, 5001, payload: 100);
        Assert.Empty(c.Events);
    }

    [Fact]
    public void An_ack_beyond_what_the_other_side_may_have_sent_is_invalid()
    {
        var c = new TcpConversation().Handshake();
        c.ToServer(Ack, 1001, 5001 + 100_000);
        Assert.Equal([StreamEvent.PacketInvalidAck, StreamEvent.EstablishedInvalidAck], c.Events);
    }

    [Fact]
    public void Data_wholly_before_the_acknowledged_edge_is_a_spurious_retransmission()
    {
        var c = new TcpConversation().Handshake();
        c.ToServer(Psh | Ack, 1001, 5001, payload: 100);
        c.ToClient(Ack, 5001, 1101);
        c.ToServer(Psh | Ack, 1001, 5001, payload: 100);
        Assert.Equal([StreamEvent.PacketSpuriousRetransmission], c.Events);
    }

    [Fact]
    public void The_reassembly_depth_is_reached_once_per_direction()
    {
        var c = new TcpConversation(new TcpStreamOptions { ReassemblyDepth = 50 }).Handshake();
        c.ToServer(Psh | Ack, 1001, 5001, payload: 40);
        Assert.Empty(c.Events);
        c.ToServer(Psh | Ack, 1041, 5001, payload: 40);
        Assert.Equal([StreamEvent.ReassemblyDepthReached], c.Events);
        c.ToServer(Psh | Ack, 1081, 5001, payload: 40);
        Assert.Empty(c.Events);
        c.ToClient(Psh | Ack, 5001, 1121, payload: 60);
        Assert.Equal([StreamEvent.ReassemblyDepthReached], c.Events);
        Assert.Equal(2, c.Shard.Counters.TcpStreamDepthReached);
    }

    [Fact]
    public void Packets_without_a_session_start_none_unless_they_are_a_syn()
    {
        var c = new TcpConversation();
        c.ToServer(Rst, 1000, 0);
        Assert.Equal([StreamEvent.RstButNoSession], c.Events);
        c.ToServer(Psh | Ack, 1000, 5000, payload: 10);
        Assert.Empty(c.Events);
        Assert.Null(c.Session);
        Assert.Equal(0, c.Shard.Counters.TcpSessions);
    }

    [Fact]
    public void Midstream_pick_up_starts_an_established_session_on_an_ack()
    {
        var c = new TcpConversation(new TcpStreamOptions { Midstream = true });
        c.ToServer(Psh | Ack, 1000, 5000, payload: 10);
        Assert.Equal(TcpState.Established, c.State);
        Assert.Equal(1, c.Shard.Counters.TcpMidstreamPickups);
    }

    [Fact]
    public void A_syn_on_the_ports_of_a_closed_session_starts_a_new_flow_and_retires_the_old_one()
    {
        var c = new TcpConversation().Handshake();
        int first = c.Slot;
        c.ToServer(Fin | Ack, 1001, 5001);
        c.ToClient(Fin | Ack, 5001, 1002);
        c.ToServer(Ack, 1002, 5002);
        Assert.Equal(TcpState.Closed, c.State);

        c.ToServer(Syn, 9000, 0);
        Assert.NotEqual(first, c.Slot);
        Assert.Equal(TcpState.SynSent, c.State);
        Assert.Equal(1, c.Shard.Counters.TcpReuse);

        // The new session's own SYN again is a retransmission, not another flow.
        int second = c.Slot;
        c.ToServer(Syn, 9000, 0);
        Assert.Equal(second, c.Slot);

        c.Shard.EndAll(FlowEndReason.Shutdown);
        Assert.Equal([FlowEndReason.TcpReuse, FlowEndReason.Shutdown], c.Sink.Events.OrderBy(e => e.StartNanoseconds).Select(e => e.Reason));
    }

    [Fact]
    public void A_syn_on_an_established_session_keeps_its_flow()
    {
        var c = new TcpConversation().Handshake();
        int first = c.Slot;
        c.ToServer(Syn, 9000, 0);
        Assert.Equal(first, c.Slot);
        Assert.Equal([StreamEvent.EstablishedSynResendDiffSeq], c.Events);
        Assert.Equal(0, c.Shard.Counters.TcpReuse);
    }

    [Fact]
    public void The_manager_ends_a_retired_flow_at_its_next_pass()
    {
        var c = new TcpConversation().Handshake();
        c.ToServer(Rst, 1001, 0);
        Assert.Equal(TcpState.Closed, c.State);
        c.ToServer(Syn, 9000, 0);
        c.Shard.RunManagerPassIfDue(At(0.1), CancellationToken.None);
        FlowEndEvent retired = Assert.Single(c.Sink.Events);
        Assert.Equal(FlowEndReason.TcpReuse, retired.Reason);
        Assert.Equal("tcp_reuse", retired.ReasonName);
    }

    [Fact]
    public void Every_event_has_suricatas_name_and_parses_back()
    {
        foreach (StreamEvent streamEvent in Enum.GetValues<StreamEvent>().Where(e => e != StreamEvent.None))
        {
            string name = StreamEvents.Name(streamEvent);
            Assert.True(StreamEvents.TryParse(name, out StreamEvent parsed), name);
            Assert.Equal(streamEvent, parsed);
            Assert.Equal("stream." + name, StreamEvents.AnomalyName(streamEvent));
        }

        Assert.Equal("pkt_invalid_timestamp", StreamEvents.Name(StreamEvent.PacketInvalidTimestamp));
        Assert.Equal("3whs_wrong_seq_wrong_ack", StreamEvents.Name(StreamEvent.ThreeWhsWrongSeqWrongAck));
        Assert.Equal("est_packet_out_of_window", StreamEvents.Name(StreamEvent.EstablishedPacketOutOfWindow));
        Assert.Equal("reassembly_depth_reached", StreamEvents.Name(StreamEvent.ReassemblyDepthReached));
        Assert.False(StreamEvents.TryParse("no_such_event", out _));
    }
}
