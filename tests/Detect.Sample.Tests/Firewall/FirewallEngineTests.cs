using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Flows;

namespace Detect.Sample.Tests.Firewall;

public sealed class FirewallEngineTests
{
    private const int Syn = 0x02, Ack = 0x10, Psh = 0x08, Fin = 0x01, SynAck = Syn | Ack;

    private static readonly Dictionary<string, string> None = [];
    private static readonly FlowTuple ToServer = TestTuples.Make("10.16.1.11", 54186, "82.165.177.154", 80);
    private static readonly FlowTuple ToClient = ToServer.Reverse();
    private static readonly byte[] Request = "GET / HTTP/1.1\r\nHost: www.testmyids.com\r\nAccept: */*\r\n\r\n"u8.ToArray();

    private readonly Rule?[] _matches = new Rule?[8];

    private static PacketDetector Detector(string[] firewall, params string[] threatDetection)
    {
        var rules = new List<Rule>();
        rules.AddRange(firewall.Select((l, i) => FirewallRuleParser.Parse(l, None, None, "firewall.rules", i + 1)));
        rules.AddRange(threatDetection.Select((l, i) => RuleParser.Parse(l, None, None, "td.rules", i + 1)));
        return new PacketDetector(new RuleSet(rules, [], []), new DetectionOptions { SimulateIps = true, Firewall = true });
    }

    private (PacketVerdict Verdict, int Alerts) Packet(PacketDetector detector, DetectionFlowState state, bool toServer, int flags, FlowState flowState, byte[]? payload = null)
    {
        RulePacket facts = RulePacket.Direction(toServer) with { TcpFlags = flags, FlowState = flowState };
        int alerts = detector.Inspect(toServer ? ToServer : ToClient, facts, payload ?? [], default, default, default, state, _matches, out _, out PacketVerdict verdict);
        return (verdict, alerts);
    }

    [Fact]
    public void What_no_firewall_rule_accepts_is_dropped_by_the_default_packet_policy()
    {
        PacketDetector detector = Detector(["accept:hook tcp:all any any -> any any (flags:S; sid:1;)"]);
        var state = new DetectionFlowState();
        Assert.False(Packet(detector, state, true, Syn, FlowState.New).Verdict.Dropped);
        PacketVerdict synAck = Packet(detector, state, false, SynAck, FlowState.New).Verdict;
        Assert.Equal(PacketVerdict.Drop(DropReason.DefaultPacketPolicy, byFirewall: true), synAck);
        Assert.False(state.Dropped); // drop:packet only: the flow goes on
    }

    [Fact]
    public void Accept_hook_hands_the_packet_to_threat_detection_and_a_firewall_drop_hides_it()
    {
        PacketDetector detector = Detector(
            ["accept:hook tcp:all any any -> any 80 (sid:1;)", "drop:packet tcp:all any 80 -> any any (sid:2;)"],
            "alert tcp any any -> any any (msg:\"td\"; sid:10;)");
        var state = new DetectionFlowState();
        (PacketVerdict accepted, int alerts) = Packet(detector, state, true, Syn, FlowState.New);
        Assert.False(accepted.Dropped);
        Assert.Equal(10, Assert.Single(_matches[..alerts])!.Sid);

        (PacketVerdict dropped, int none) = Packet(detector, state, false, SynAck, FlowState.New);
        Assert.Equal(PacketVerdict.Drop(DropReason.Rules, byFirewall: true), dropped);
        Assert.Equal(0, none);
    }

    [Fact]
    public void Accept_flow_is_remembered_for_the_rest_of_the_flow()
    {
        PacketDetector detector = Detector(["accept:flow tcp:all any any -> any 80 (flags:S; sid:1;)"], "alert tcp any any -> any any (sid:10;)");
        var state = new DetectionFlowState();
        Assert.False(Packet(detector, state, true, Syn, FlowState.New).Verdict.Dropped);
        Assert.True(state.Firewall.AcceptedFlow);

        // Neither the rule (no SYN, other direction) nor threat detection sees these: the flow is accepted.
        (PacketVerdict verdict, int alerts) = Packet(detector, state, false, SynAck, FlowState.New);
        Assert.False(verdict.Dropped);
        Assert.Equal(0, alerts);
        Assert.False(Packet(detector, state, true, Ack | Psh, FlowState.Established, Request).Verdict.Dropped);
    }

    [Fact]
    public void Drop_flow_drops_the_rest_of_the_flow_as_a_firewall_flow_drop()
    {
        PacketDetector detector = Detector(["drop:flow tcp:all any any -> any any (sid:1;)"]);
        var state = new DetectionFlowState();
        Assert.Equal(PacketVerdict.Drop(DropReason.Rules, byFirewall: true), Packet(detector, state, true, Syn, FlowState.New).Verdict);
        Assert.True(state.Dropped);
        Assert.Equal(PacketVerdict.Drop(DropReason.FlowDrop, byFirewall: true), Packet(detector, state, false, SynAck, FlowState.New).Verdict);
    }

    [Fact]
    public void Every_http1_state_the_request_reached_needs_an_accepting_rule()
    {
        string[] accepting =
        [
            "accept:hook tcp:all any any -> any any (sid:100;)",
            "accept:hook http1:request_started any any -> any any (sid:997;)",
            "drop:flow http1:request_line any any -> any any (sid:999; alert; http.uri; content:\"/admin\";)",
            "accept:flow http1:request_line any any -> any any (sid:998;)",
        ];
        var state = Handshake(Detector(accepting), out PacketDetector detector);
        Assert.False(Packet(detector, state, true, Ack | Psh, FlowState.Established, Request).Verdict.Dropped);
        Assert.True(state.Firewall.AcceptedFlow);

        // The same request without an accepting rule for request_started: drop:flow, the state's default.
        var missing = Handshake(Detector([accepting[0], accepting[3]]), out PacketDetector strict);
        Assert.Equal(PacketVerdict.Drop(DropReason.DefaultAppPolicy, byFirewall: true), Packet(strict, missing, true, Ack | Psh, FlowState.Established, Request).Verdict);
        Assert.True(missing.Dropped);
        Assert.Equal(PacketVerdict.Drop(DropReason.FlowDrop, byFirewall: true), Packet(strict, missing, false, Ack, FlowState.Established).Verdict);

        // The drop rule of request_line matches first, and alerts.
        var admin = Handshake(Detector(accepting), out PacketDetector blocking);
        (PacketVerdict verdict, int alerts) = Packet(blocking, admin, true, Ack | Psh, FlowState.Established, "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.Equal(PacketVerdict.Drop(DropReason.Rules, byFirewall: true), verdict);
        Assert.Equal(999, Assert.Single(_matches[..alerts])!.Sid);
    }

    [Fact]
    public void Tcp_session_phases_follow_the_handshake_and_the_close()
    {
        var state = new FirewallFlowState();
        Assert.Equal(TcpSessionPhases.Setup, state.TcpPhases(Syn, toServer: true, flowEstablished: false));
        Assert.Equal(TcpSessionPhases.Setup, state.TcpPhases(SynAck, toServer: false, flowEstablished: false));
        // The ACK completing the handshake is still setup, as in Suricata (the session is established after it).
        Assert.Equal(TcpSessionPhases.Setup, state.TcpPhases(Ack, toServer: true, flowEstablished: true));
        Assert.Equal(TcpSessionPhases.Established, state.TcpPhases(Ack | Psh, toServer: true, flowEstablished: true));
        Assert.Equal(TcpSessionPhases.Established | TcpSessionPhases.Closing, state.TcpPhases(Fin | Ack, toServer: true, flowEstablished: true));
        Assert.Equal(TcpSessionPhases.Established | TcpSessionPhases.Closing, state.TcpPhases(Fin | Ack, toServer: false, flowEstablished: false));
        Assert.Equal(TcpSessionPhases.Established, state.TcpPhases(Ack, toServer: true, flowEstablished: false));
    }

    [Fact]
    public void A_firewall_drop_counts_under_firewall_only_and_an_accepted_packet_under_both()
    {
        var counters = new InlineCounters(firewall: true);
        long[] worker = counters.CreateWorker();
        counters.Count(worker, PacketVerdict.Accept);
        counters.Count(worker, PacketVerdict.Drop(DropReason.FlowDrop, byFirewall: true));
        counters.Count(worker, PacketVerdict.Drop(DropReason.StreamError, byFirewall: false));
        Dictionary<string, long> stats = counters.Enumerate().ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(1, stats["ips.accepted"]);
        Assert.Equal(1, stats["ips.blocked"]);
        Assert.Equal(1, stats["ips.drop_reason.stream_error"]);
        Assert.Equal(0, stats["ips.drop_reason.flow_drop"]);
        Assert.Equal(2, stats["firewall.accepted"]);
        Assert.Equal(1, stats["firewall.blocked"]);
        Assert.Equal(1, stats["firewall.drop_reason.flow_drop"]);
        Assert.Equal(0, stats["firewall.drop_reason.pre_flow_hook"]);
    }

    private DetectionFlowState Handshake(PacketDetector detector, out PacketDetector same)
    {
        same = detector;
        var state = new DetectionFlowState();
        Assert.False(Packet(detector, state, true, Syn, FlowState.New).Verdict.Dropped);
        Assert.False(Packet(detector, state, false, SynAck, FlowState.New).Verdict.Dropped);
        Assert.False(Packet(detector, state, true, Ack, FlowState.Established).Verdict.Dropped);
        return state;
    }
}
