using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;
using FlowEngine.Flows;

namespace Detect.Sample.Tests.Firewall;

/// <summary>The http1 hooks on a keep-alive connection whose messages are split over segments.</summary>
public sealed class FirewallHttpTransactionTests
{
    private const int Syn = 0x02, Ack = 0x10, Psh = 0x08;

    private static readonly Dictionary<string, string> None = [];
    private static readonly Capture.Abstractions.FlowTuple ToServer = TestTuples.Make("10.16.1.11", 54186, "82.165.177.154", 80);

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

    private (PacketDetector Detector, DetectionFlowState State) Connect(string[] first, bool acceptEveryRequest = true)
    {
        string[] accepting = acceptEveryRequest
            ? ["accept:hook http1:request_started any any -> any any (sid:3;)", "accept:hook http1:request_line any any -> any any (sid:4; alert;)", "accept:hook http1:<request_complete any any -> any any (sid:5;)"]
            : ["accept:tx http1:request_started any any -> any any (content:\"POST /one\"; sid:6;)"];
        string[] lines = ["accept:hook tcp:all any any -> any any (sid:1;)", .. first, .. accepting];
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
