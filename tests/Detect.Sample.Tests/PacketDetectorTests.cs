using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

public sealed class PacketDetectorTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 443);
    private static readonly FlowTuple ToClient = ToServer.Reverse();

    private static RuleSet Rules(params string[] lines)
    {
        var empty = new Dictionary<string, string>();
        return new RuleSet([.. lines.Select((l, i) => RuleParser.Parse(l, empty, empty, "t.rules", i + 1))], [], []);
    }

    /// <summary>A login (USER) sets a flowbit, without an alert; a reply (OK) alerts only after one.</summary>
    private static PacketDetector LoginReplyDetector() => new(
        Rules(
            "alert tcp any any -> any any (msg:\"reply\"; flow:to_client; flowbits:isset,login; content:\"OK\"; sid:2;)",
            "alert tcp any any -> any any (msg:\"login\"; flow:to_server; content:\"USER\"; flowbits:set,login; flowbits:noalert; sid:1;)"),
        new DetectionOptions());

    private static byte[] Record(byte type, int length) => [type, 3, 3, (byte)(length >> 8), (byte)length, .. new byte[length]];

    [Fact]
    public void Tls_bypass_triggers_on_application_data_after_both_change_cipher_specs()
    {
        var detector = new PacketDetector(RuleSet.Empty, new DetectionOptions { TlsBypass = true });
        var state = new DetectionFlowState();
        Span<Rule?> matches = new Rule?[4];
        BypassReason reason;

        // A ClientHello split over two segments, with the header itself cut in the middle.
        byte[] hello = Record(0x16, 300);
        detector.Inspect(ToServer, true, hello.AsSpan(0, 3), state, matches, out reason);
        detector.Inspect(ToServer, true, hello.AsSpan(3), state, matches, out reason);
        Assert.Equal(BypassReason.None, reason);
        detector.Inspect(ToClient, false, [.. Record(0x16, 90), .. Record(0x16, 2000)], state, matches, out reason);
        detector.Inspect(ToServer, true, [.. Record(0x16, 70), .. Record(0x14, 1), .. Record(0x16, 40)], state, matches, out reason);
        Assert.Equal(BypassReason.None, reason);
        detector.Inspect(ToClient, false, [.. Record(0x14, 1), .. Record(0x16, 40)], state, matches, out reason);
        Assert.Equal(BypassReason.None, reason);
        detector.Inspect(ToServer, true, Record(0x17, 100), state, matches, out reason);
        Assert.Equal(BypassReason.Tls, reason);
        Assert.True(state.BypassRequested);
    }

    [Fact]
    public void Non_tls_payload_is_never_tls_bypassed()
    {
        var detector = new PacketDetector(RuleSet.Empty, new DetectionOptions { TlsBypass = true });
        var state = new DetectionFlowState();
        Span<Rule?> matches = new Rule?[4];
        detector.Inspect(ToServer, true, "GET / HTTP/1.1\r\n\r\n"u8, state, matches, out _);
        detector.Inspect(ToClient, false, [.. Record(0x14, 1), .. Record(0x17, 10)], state, matches, out BypassReason reason);
        Assert.Equal(BypassReason.None, reason);
    }

    [Fact]
    public void Stream_depth_bypasses_when_one_direction_reaches_the_depth()
    {
        var detector = new PacketDetector(RuleSet.Empty, new DetectionOptions { StreamBypass = true, StreamDepth = 3000 });
        var state = new DetectionFlowState();
        Span<Rule?> matches = new Rule?[4];
        detector.Inspect(ToServer, true, new byte[1448], state, matches, out BypassReason reason);
        detector.Inspect(ToClient, false, new byte[1448], state, matches, out reason);
        detector.Inspect(ToServer, true, new byte[1448], state, matches, out reason);
        Assert.Equal(BypassReason.None, reason);
        detector.Inspect(ToServer, true, new byte[1448], state, matches, out reason);
        Assert.Equal(BypassReason.StreamDepth, reason);

        var off = new PacketDetector(RuleSet.Empty, new DetectionOptions { StreamBypass = false, StreamDepth = 3000 });
        var other = new DetectionFlowState();
        off.Inspect(ToServer, true, new byte[5000], other, matches, out reason);
        Assert.Equal(BypassReason.None, reason);
    }

    [Fact]
    public void Alerts_once_per_sid_per_packet_bypass_keyword_and_pass_rules()
    {
        RuleSet rules = Rules(
            "alert tcp any any -> any any (msg:\"get\"; content:\"GET\"; sid:1;)",
            "alert tcp any any -> any any (msg:\"video\"; content:\"/video\"; bypass; sid:2;)",
            "pass tcp any any -> any any (msg:\"health\"; content:\"/health\"; sid:3;)");
        var detector = new PacketDetector(rules, new DetectionOptions());
        Span<Rule?> matches = new Rule?[4];

        var plain = new DetectionFlowState();
        Assert.Equal(1, detector.Inspect(ToServer, true, "GET /a GET /b"u8, plain, matches, out BypassReason reason));
        Assert.Equal(1, matches[0]!.Sid);
        Assert.Equal(BypassReason.None, reason);
        Assert.True(plain.Alerted);

        var video = new DetectionFlowState();
        Assert.Equal(2, detector.Inspect(ToServer, true, "GET /video"u8, video, matches, out reason));
        Assert.Equal(BypassReason.Rule, reason);
        Assert.Equal(0, detector.Inspect(ToServer, true, "GET /video"u8, video, matches, out _));

        var health = new DetectionFlowState();
        Assert.Equal(0, detector.Inspect(ToServer, true, "GET /health"u8, health, matches, out _));
        Assert.True(health.Passed);
        Assert.Equal(0, detector.Inspect(ToServer, true, "GET /other"u8, health, matches, out _));
        Assert.False(health.Alerted);
    }

    [Fact]
    public void Flowbits_set_by_one_rule_let_a_later_packet_match_another_and_noalert_writes_nothing()
    {
        PacketDetector detector = LoginReplyDetector();
        Span<Rule?> matches = new Rule?[4];
        var other = new DetectionFlowState();
        var state = new DetectionFlowState();

        Assert.Equal(0, detector.Inspect(ToClient, false, "OK"u8, state, matches, out _));
        Assert.Equal(0, detector.Inspect(ToServer, true, "USER bob"u8, state, matches, out _));
        Assert.Equal(1, detector.Inspect(ToClient, false, "OK"u8, state, matches, out _));
        Assert.Equal(2, matches[0]!.Sid);
        Assert.Equal(0, detector.Inspect(ToClient, false, "OK"u8, other, matches, out _));
    }

    [Fact]
    public void A_flow_state_reset_for_another_flow_keeps_no_flowbit_and_no_alert_of_the_flow_before()
    {
        PacketDetector detector = LoginReplyDetector();
        Span<Rule?> matches = new Rule?[4];
        var state = new DetectionFlowState();
        Assert.Equal(0, detector.Inspect(ToServer, true, "USER bob"u8, state, matches, out _));
        Assert.Equal(1, detector.Inspect(ToClient, false, "OK"u8, state, matches, out _));
        Assert.True(state.Alerted);

        // The engine resets an ended flow's state before a new flow of its worker takes it.
        state.Reset();
        Assert.False(state.Alerted);
        Assert.Equal(0, detector.Inspect(ToClient, false, "OK"u8, state, matches, out _));
        Assert.Equal(0, detector.Inspect(ToServer, true, "USER bob"u8, state, matches, out _));
        Assert.Equal(1, detector.Inspect(ToClient, false, "OK"u8, state, matches, out _));
    }

    [Fact]
    public void Flowbits_set_and_tested_on_the_same_packet_see_the_setter_first()
    {
        RuleSet rules = Rules(
            "alert tcp any any -> any any (msg:\"tester\"; flowbits:isset,seen; sid:2;)",
            "alert tcp any any -> any any (msg:\"setter\"; flowbits:set,seen; sid:1;)",
            "alert tcp any any -> any any (msg:\"unsetter\"; flowbits:isset,seen; flowbits:unset,seen; sid:3;)");
        var detector = new PacketDetector(rules, new DetectionOptions());
        Span<Rule?> matches = new Rule?[4];
        var state = new DetectionFlowState();

        // Setter, then the rule that tests and sets, then the tester, which finds the bit cleared.
        Assert.Equal(2, detector.Inspect(ToServer, true, "x"u8, state, matches, out _));
        Assert.Equal([1L, 3L], matches[..2].ToArray().Select(r => r!.Sid));
        Assert.False(state.IsSet(0));
    }

    [Fact]
    public void A_drop_rule_alerts_in_ids_mode_and_ends_the_flows_inspection_in_simulated_ips_mode()
    {
        RuleSet rules = Rules("drop tcp any any -> any any (msg:\"bad\"; content:\"evil\"; sid:1;)");
        Span<Rule?> matches = new Rule?[4];

        var ids = new PacketDetector(rules, new DetectionOptions());
        var idsFlow = new DetectionFlowState();
        Assert.Equal(1, ids.Inspect(ToServer, true, "evil"u8, idsFlow, matches, out _));
        Assert.Equal(1, ids.Inspect(ToServer, true, "evil"u8, idsFlow, matches, out _));
        Assert.False(idsFlow.Dropped);

        var ips = new PacketDetector(rules, new DetectionOptions { SimulateIps = true });
        var ipsFlow = new DetectionFlowState();
        Assert.Equal(1, ips.Inspect(ToServer, true, "evil"u8, ipsFlow, matches, out _));
        Assert.True(ipsFlow.Dropped);
        Assert.Equal(0, ips.Inspect(ToServer, true, "evil"u8, ipsFlow, matches, out _));
    }

    [Fact]
    public void Flowbit_conditions_over_several_names_test_any_with_a_bar_and_all_with_an_ampersand()
    {
        RuleSet rules = Rules(
            "alert tcp any any -> any any (msg:\"set\"; content:\"a\"; flowbits:set,fa; flowbits:noalert; sid:1;)",
            "alert tcp any any -> any any (msg:\"any\"; content:\"x\"; flowbits:isset,fa|fb; sid:2;)",
            "alert tcp any any -> any any (msg:\"all\"; content:\"x\"; flowbits:isset,fa&fb; sid:3;)",
            "alert tcp any any -> any any (msg:\"any not\"; content:\"x\"; flowbits:isnotset,fa|fb; sid:4;)",
            "alert tcp any any -> any any (msg:\"set both\"; content:\"b\"; flowbits:set,fa&fb; flowbits:noalert; sid:5;)");
        var detector = new PacketDetector(rules, new DetectionOptions());
        Span<Rule?> matches = new Rule?[8];
        var state = new DetectionFlowState();

        Assert.Equal(0, detector.Inspect(ToServer, true, "a"u8, state, matches, out _));
        int count = detector.Inspect(ToServer, true, "x"u8, state, matches, out _);
        Assert.Equal([2L, 4L], matches[..count].ToArray().Select(r => r!.Sid));
        Assert.Equal(0, detector.Inspect(ToServer, true, "b"u8, state, matches, out _));
        count = detector.Inspect(ToServer, true, "x"u8, state, matches, out _);
        Assert.Equal([2L, 3L], matches[..count].ToArray().Select(r => r!.Sid));
    }

    [Fact]
    public void A_pass_rule_with_bypass_passes_the_flow_and_asks_for_its_bypass()
    {
        RuleSet rules = Rules("pass ip any any -> any any (msg:\"bypass\"; content:\"|00 00 00 00|\"; offset:0; depth:4; bypass; sid:1;)");
        var detector = new PacketDetector(rules, new DetectionOptions());
        Span<Rule?> matches = new Rule?[4];
        var state = new DetectionFlowState();

        Assert.Equal(0, detector.Inspect(ToServer, true, [1, 0, 0, 0, 0], state, matches, out BypassReason reason));
        Assert.Equal(BypassReason.None, reason);
        Assert.Equal(0, detector.Inspect(ToServer, true, [0, 0, 0, 0, 9], state, matches, out reason));
        Assert.Equal(BypassReason.Rule, reason);
        Assert.True(state.Passed && state.BypassRequested);
    }
}
