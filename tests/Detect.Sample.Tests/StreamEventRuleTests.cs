using Capture.Abstractions;
using Detect.Sample.Detection;
using FlowEngine.Stream;

namespace Detect.Sample.Tests;

public class StreamEventRuleTests
{
    private static readonly Dictionary<string, string> Empty = [];

    private static Rule Parse(string text, int line = 1) => RuleParser.Parse(text, Empty, Empty, "t.rules", line);

    [Fact]
    public void Stream_event_rules_match_the_events_the_stream_tracker_raised_on_the_packet()
    {
        var set = new RuleSet(
            [
                Parse("alert tcp any any -> any any (msg:\"SURICATA STREAM reassembly depth reached\"; stream-event:reassembly_depth_reached; sid:2210062; rev:1;)"),
                Parse("alert tcp any any -> any any (stream-event:3whs_wrong_seq_wrong_ack; sid:2210010;)", 2),
            ],
            [],
            []);
        var detector = new PacketDetector(set, new DetectionOptions());
        var matches = new Rule?[4];
        FlowTuple tcp = TestTuples.Make("10.0.0.1", 40000, "10.0.0.2", 80, 6);
        Assert.Equal(0, detector.Inspect(tcp, RulePacket.Direction(true), [], [], [], [], new DetectionFlowState(), matches, out _));
        Assert.Equal(1, detector.Inspect(tcp, RulePacket.Direction(true), [], [], [], [StreamEvent.ReassemblyDepthReached], new DetectionFlowState(), matches, out _));
        Assert.Equal(2210062, matches[0]!.Sid);
        Assert.Equal(1, detector.Inspect(tcp, RulePacket.Direction(true), [], [], [], [StreamEvent.PacketInvalidAck, StreamEvent.ThreeWhsWrongSeqWrongAck], new DetectionFlowState(), matches, out _));
        Assert.Equal(2210010, matches[0]!.Sid);
    }

    [Theory]
    [InlineData("version >= 8", true)]
    [InlineData("version >= 7.0.3 < 8 | >= 9", true)]
    [InlineData("version >= 10", false)]
    [InlineData("version < 9", false)]
    [InlineData("feature geoip", false)]
    public void Requires_compares_with_the_suricata_version_this_host_follows(string requires, bool met)
    {
        Assert.Equal(met, RuleRequirements.Unmet(requires) is null);
    }

    [Fact]
    public void The_loader_skips_rules_whose_requirements_are_unmet_and_keeps_the_newest_rev_of_a_sid()
    {
        string file = Path.Combine(Path.GetTempPath(), $"detect-rules-{Guid.NewGuid():N}.rules");
        File.WriteAllText(file, string.Join('\n',
            "alert tcp any any -> any any (stream-event:reassembly_depth_reached; sid:2210062; rev:1;)",
            "alert tcp any any -> any any (stream-event:reassembly_depth_reached; prefilter; requires: version >= 8; sid:2210062; rev:2;)",
            "alert tcp any any -> any any (requires: version >= 10; sid:7;)",
            "alert tcp any any -> any any (sid:2210062; rev:2;)",
            "alert tcp any any -> any any (requires: version; sid:8;)"));
        try
        {
            RuleSet set = RuleFileLoader.Load([file], Empty, Empty);
            Rule rule = Assert.Single(set.Rules);
            Assert.Equal((2210062L, 2L, 2), (rule.Sid, rule.Rev, rule.Line));
            Assert.Equal([4, 5], set.Errors.Select(e => e.Line));
            Assert.Contains("duplicate sid 2210062", set.Errors[0].Problem, StringComparison.Ordinal);
            Assert.Contains("requires", set.Errors[1].Problem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Each_direction_detects_its_protocol_and_a_mismatch_is_raised_once()
    {
        var detector = new PacketDetector(RuleSet.Empty, new DetectionOptions());
        var state = new DetectionFlowState();
        var matches = new Rule?[1];
        FlowTuple toServer = TestTuples.Make("10.16.1.11", 32928, "10.16.1.1", 22, 6);
        FlowTuple toClient = TestTuples.Make("10.16.1.1", 22, "10.16.1.11", 32928, 6);
        detector.Inspect(toServer, RulePacket.Direction(true), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8, [], [], [], state, matches, out _);
        Assert.False(state.ProtocolMismatch);
        detector.Inspect(toClient, RulePacket.Direction(false), "SSH-2.0-OpenSSH_6.6.1\r\n"u8, [], [], [], state, matches, out _);
        Assert.True(state.ProtocolMismatch);
        Assert.Equal((AppProtocol.Http, AppProtocol.Http, AppProtocol.Ssh), (state.App, state.AppOf(true), state.AppOf(false)));
        state.ProtocolMismatch = false;
        detector.Inspect(toClient, RulePacket.Direction(false), "SSH-2.0-again\r\n"u8, [], [], [], state, matches, out _);
        Assert.False(state.ProtocolMismatch);
    }
}
