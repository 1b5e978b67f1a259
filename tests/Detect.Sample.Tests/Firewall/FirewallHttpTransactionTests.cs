using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Flows;

namespace Detect.Sample.Tests.Firewall;

/// <summary>
/// The http1 hooks on one connection: keep-alive messages split over segments, and the states a
/// transaction skips (a request without a body or a trailer), which still meet their hooks once each,
/// as Suricata's firewall evaluates every state at least once.
/// </summary>
public sealed class FirewallHttpTransactionTests
{
    private const int Syn = 0x02, Ack = 0x10, Psh = 0x08;

    private static readonly Dictionary<string, string> None = [];
    private static readonly Capture.Abstractions.FlowTuple ToServer = TestTuples.Make("10.16.1.11", 54186, "82.165.177.154", 80);
    private static readonly string[] RequestStates = ["started", "line", "headers", "body", "trailer", "complete"];

    // The first request's head comes in three segments and its chunked body in three more; the
    // second and third are whole.
    private static readonly string[][] Requests =
    [
        ["POST /one HT", "TP/1.1\r\nHost: x\r\n", "Transfer-Encoding: chunked\r\n\r\n6\r\nGE", "T /s\r\n3\r\nabc\r\n", "0\r\n\r\n"],
        ["GET /second HTTP/1.1\r\nHost: x\r\n\r\n"],
        ["POST /third HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab", "cde"],
    ];

    private readonly Rule?[] _matches = new Rule?[8];

    [Fact]
    public void Every_request_on_a_keep_alive_connection_goes_through_the_request_hooks()
    {
        (PacketDetector detector, DetectionFlowState state) = Connect([]);
        for (int request = 0; request < Requests.Length; request++)
        {
            int lineAlerts = 0;
            foreach (string segment in Requests[request])
            {
                (PacketVerdict verdict, int alerts) = Send(detector, state, segment);
                Assert.False(verdict.Dropped, $"request {request + 1}: {segment}");
                lineAlerts += _matches[..alerts].Count(r => r!.Sid == 4);
            }

            Assert.Equal(1, lineAlerts); // each request reached request_line once
            Assert.Equal((request + 1, HttpHookProgress.Complete), (state.Firewall.RequestProgress.Transaction, state.Firewall.RequestProgress.Progress));
        }
    }

    [Fact]
    public void A_drop_rule_on_the_second_request_line_drops_the_flow()
    {
        (PacketDetector detector, DetectionFlowState state) = Connect(["drop:flow http1:request_line any any -> any any (http.uri; content:\"/second\"; sid:2;)"]);
        foreach (string segment in Requests[0])
        {
            Assert.False(Send(detector, state, segment).Verdict.Dropped);
        }

        Assert.Equal(PacketVerdict.Drop(DropReason.Rules, byFirewall: true), Send(detector, state, Requests[1][0]).Verdict);
        Assert.True(state.Dropped);
        Assert.Equal(PacketVerdict.Drop(DropReason.FlowDrop, byFirewall: true), Send(detector, state, Requests[2][0]).Verdict);
    }

    [Fact]
    public void Without_an_accepting_rule_the_second_request_meets_the_default_drop()
    {
        // Only the first transaction is accepted (accept:tx on its bytes): the second one's request_started has no accepting rule.
        (PacketDetector detector, DetectionFlowState state) = Connect([], acceptEveryRequest: false);
        foreach (string segment in Requests[0])
        {
            Assert.False(Send(detector, state, segment).Verdict.Dropped);
        }

        Assert.Equal(PacketVerdict.Drop(DropReason.DefaultAppPolicy, byFirewall: true), Send(detector, state, Requests[1][0]).Verdict);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")]
    public void A_request_without_a_trailer_meets_the_default_drop_of_request_trailer(string request)
    {
        (PacketDetector detector, DetectionFlowState state) = Open(AcceptingEachStateBut("trailer"));

        Assert.Equal(PacketVerdict.Drop(DropReason.DefaultAppPolicy, byFirewall: true), Send(detector, state, request).Verdict);
        Assert.True(state.Dropped);
    }

    [Fact]
    public void A_drop_rule_of_a_skipped_state_drops_the_request()
    {
        (PacketDetector detector, DetectionFlowState state) = Open(["drop:flow http1:request_body any any -> any any (sid:50;)", .. AcceptingEachStateBut(null)]);

        Assert.Equal(PacketVerdict.Drop(DropReason.Rules, byFirewall: true), Send(detector, state, Requests[1][0]).Verdict);
    }

    [Fact]
    public void A_rule_accepting_the_states_before_its_own_covers_them_only_for_the_packets_it_applies_to()
    {
        // The <request_complete rule is for another client: this connection's headers and body states have
        // no accepting rule, and meet the default drop at once (not when the upload ends).
        string[] hooks = ["accept:hook http1:request_started any any -> any any (sid:3;)", "accept:hook http1:request_line any any -> any any (sid:4;)"];
        (PacketDetector detector, DetectionFlowState state) = Open([.. hooks, "accept:flow http1:<request_complete 10.9.9.9 any -> any any (sid:5;)"]);
        Assert.Equal(PacketVerdict.Drop(DropReason.DefaultAppPolicy, byFirewall: true), Send(detector, state, Requests[2][0]).Verdict);

        (PacketDetector covering, DetectionFlowState client) = Open([.. hooks, "accept:flow http1:<request_complete 10.16.1.11 any -> any any (sid:5;)"]);
        Assert.False(Send(covering, client, Requests[2][0]).Verdict.Dropped);
        Assert.False(Send(covering, client, Requests[2][1]).Verdict.Dropped);
        Assert.True(client.Firewall.AcceptedFlow);
    }

    [Fact]
    public void Each_state_a_transaction_skips_is_evaluated_once_per_transaction()
    {
        // Each state's rule alerts: the third request's body ends in its second segment, which skips the
        // trailer state; the second request has no body and skips two states in its one segment.
        (PacketDetector detector, DetectionFlowState state) = Open(AcceptingEachStateBut(null));
        var alerts = new List<long>();
        foreach (string segment in (string[])[.. Requests[2], .. Requests[1]])
        {
            (PacketVerdict verdict, int count) = Send(detector, state, segment);
            Assert.False(verdict.Dropped, segment);
            alerts.AddRange(_matches[..count].Select(r => r!.Sid));
        }

        Assert.Equal([100, 101, 102, 103, 104, 105, 100, 101, 102, 103, 104, 105], alerts);
    }

    /// <summary>An alerting <c>accept:hook</c> rule for each request state but <paramref name="missing"/>, sid 100 + the state's progress.</summary>
    private static string[] AcceptingEachStateBut(string? missing) =>
        [.. RequestStates.Where(s => s != missing).Select(s => $"accept:hook http1:request_{s} any any -> any any (sid:{100 + Array.IndexOf(RequestStates, s)}; alert;)")];

    private (PacketDetector Detector, DetectionFlowState State) Connect(string[] first, bool acceptEveryRequest = true)
    {
        string[] accepting = acceptEveryRequest
            ? ["accept:hook http1:request_started any any -> any any (sid:3;)", "accept:hook http1:request_line any any -> any any (sid:4; alert;)", "accept:hook http1:<request_complete any any -> any any (sid:5;)"]
            : ["accept:tx http1:request_started any any -> any any (content:\"POST /one\"; sid:6;)"];
        return Open([.. first, .. accepting]);
    }

    /// <summary>A connection past its handshake, under a firewall that accepts every TCP packet and has these http1 rules.</summary>
    private (PacketDetector Detector, DetectionFlowState State) Open(string[] hooks)
    {
        string[] lines = ["accept:hook tcp:all any any -> any any (sid:1;)", .. hooks];
        var rules = lines.Select((l, i) => FirewallRuleParser.Parse(l, None, None, "firewall.rules", i + 1)).ToList();
        var detector = new PacketDetector(new RuleSet(rules, [], []), new DetectionOptions { SimulateIps = true, Firewall = true });
        var state = new DetectionFlowState();
        Assert.False(Inspect(detector, state, true, Syn, FlowState.New, []).Verdict.Dropped);
        Assert.False(Inspect(detector, state, false, Syn | Ack, FlowState.New, []).Verdict.Dropped);
        Assert.False(Inspect(detector, state, true, Ack, FlowState.Established, []).Verdict.Dropped);
        return (detector, state);
    }

    private (PacketVerdict Verdict, int Alerts) Send(PacketDetector detector, DetectionFlowState state, string segment) =>
        Inspect(detector, state, true, Ack | Psh, FlowState.Established, System.Text.Encoding.ASCII.GetBytes(segment));

    private (PacketVerdict Verdict, int Alerts) Inspect(PacketDetector detector, DetectionFlowState state, bool toServer, int flags, FlowState flowState, byte[] payload)
    {
        RulePacket facts = RulePacket.Direction(toServer) with { TcpFlags = flags, FlowState = flowState };
        int alerts = detector.Inspect(toServer ? ToServer : ToServer.Reverse(), facts, payload, default, default, default, state, _matches, out _, out PacketVerdict verdict);
        return (verdict, alerts);
    }
}
