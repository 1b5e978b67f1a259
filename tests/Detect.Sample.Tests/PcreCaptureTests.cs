using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>
/// <c>pcre</c> captures name variables as Suricata's: named groups <c>alert_X</c>, <c>flow_X</c>,
/// <c>pkt_X</c>, or numbered groups listed after the flags (<c>,alert:X, flow:Y, pkt:Z</c>); a
/// matching rule keeps them (alert and packet variables for the packet, flow variables for the flow).
/// </summary>
public sealed class PcreCaptureTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 80);

    private static Rule Parse(string line) => RuleParser.Parse(line, new Dictionary<string, string>(), new Dictionary<string, string>(), "t.rules", 1);

    [Fact]
    public void Named_groups_and_the_list_after_the_flags_name_the_captures()
    {
        PcrePattern named = PcrePattern.Parse("\"/^(?P<alert_ua>[a-z]+) (?P<flow_os>\\w+) (?<other>x)/\"");
        Assert.Equal([new PcreCapture(PcreCaptureKind.Alert, "ua", 1), new PcreCapture(PcreCaptureKind.Flow, "os", 2)], named.Captures);

        PcrePattern listed = PcrePattern.Parse("\"/(a)(b)(c)/i,alert:first, flow:second, pkt:third\"");
        Assert.Equal(
            [new PcreCapture(PcreCaptureKind.Alert, "first", 1), new PcreCapture(PcreCaptureKind.Flow, "second", 2), new PcreCapture(PcreCaptureKind.Packet, "third", 3)],
            listed.Captures);

        Assert.Throws<RuleSyntaxException>(() => PcrePattern.Parse("\"/(a)/,host:x\""));
    }

    [Fact]
    public void A_matching_rule_keeps_its_captures_for_the_packet_and_the_flow()
    {
        var detector = new PacketDetector(
            new RuleSet(
                [
                    Parse("alert http any any -> any any (msg:\"ua\"; http.user_agent; pcre:\"/^(?P<alert_ua>[a-zA-Z]+)/\"; sid:1;)"),
                    Parse("alert http any any -> any any (msg:\"versions\"; http.user_agent; pcre:\"/Linux\\/(\\d+).*Tool\\/(.*)/,flow:linux, pkt:tool\"; sid:2;)"),
                ],
                [],
                []),
            new DetectionOptions());
        var state = new DetectionFlowState();
        var matches = new Rule?[4];

        int count = detector.Inspect(ToServer, true, "GET / HTTP/1.1\r\nUser-Agent: Agent Linux/6 Tool/2.5\r\n\r\n"u8, state, matches, out _);

        Assert.Equal(2, count);
        Assert.Equal(
            [new CapturedVariable(1, PcreCaptureKind.Alert, "ua", "Agent"), new CapturedVariable(2, PcreCaptureKind.Packet, "tool", "2.5")],
            PacketDetector.PacketVariables!.OrderBy(v => v.Sid));
        Assert.Equal([new CapturedVariable(2, PcreCaptureKind.Flow, "linux", "6")], state.Captures!.Variables);

        // The next packet's variables are its own; the flow's stay.
        Assert.Equal(0, detector.Inspect(ToServer, true, "x"u8, state, matches, out _));
        Assert.Null(PacketDetector.PacketVariables);
        Assert.Single(state.Captures.Variables);
    }
}
