using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Tests;

/// <summary>
/// HTTP buffers are read per message, as Suricata inspects per transaction: each of pipelined
/// requests in one packet apart (empty lines between them skipped, as libhtp does), a body as long as its Content-Length (none for a request without
/// one), and a body that runs over several packets once, whole, when its last byte arrives.
/// </summary>
public sealed class HttpTransactionTests
{
    private static readonly FlowTuple ToServer = TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 80);

    private static PacketDetector Detector(params string[] lines)
    {
        var empty = new Dictionary<string, string>();
        return new PacketDetector(new RuleSet([.. lines.Select((l, i) => RuleParser.Parse(l, empty, empty, "t.rules", i + 1))], [], []), new DetectionOptions());
    }

    private static long[] Inspect(PacketDetector detector, DetectionFlowState state, string payload)
    {
        var matches = new Rule?[8];
        int count = detector.Inspect(ToServer, true, System.Text.Encoding.ASCII.GetBytes(payload), state, matches, out _);
        return [.. matches[..count].Select(r => r!.Sid)];
    }

    [Fact]
    public void Each_of_pipelined_requests_is_inspected_apart()
    {
        PacketDetector detector = Detector(
            "alert tcp any any -> any any (msg:\"second uri\"; content:\"/two/\"; http_uri; sid:1;)",
            "alert tcp any any -> any any (msg:\"second uri, first host\"; content:\"/two/\"; http_uri; content:\"one.test\"; http_host; sid:2;)",
            "alert tcp any any -> any any (msg:\"first uri\"; content:\"/one/\"; http_uri; sid:3;)",
            "alert tcp any any -> any any (msg:\"second, by pcre\"; pcre:\"/^\\/two\\/$/U\"; sid:4;)");

        long[] sids = Inspect(detector, new DetectionFlowState(), "GET /one/ HTTP/1.1\r\nHost: one.test\r\n\r\n\r\nGET /two/ HTTP/1.1\r\nHost: two.test\r\n\r\n");

        Assert.Equal([1L, 3L, 4L], sids);
    }

    [Fact]
    public void A_body_is_as_long_as_its_content_length_and_a_request_without_one_has_none()
    {
        PacketDetector detector = Detector(
            "alert tcp any any -> any any (msg:\"body\"; content:\"abc\"; http_client_body; sid:1;)",
            "alert tcp any any -> any any (msg:\"past the body\"; content:\"xyz\"; http_client_body; sid:2;)");

        Assert.Equal([1L], Inspect(detector, new DetectionFlowState(), "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcxyz"));
        Assert.Empty(Inspect(detector, new DetectionFlowState(), "GET / HTTP/1.1\r\nHost: a.test\r\n\r\nabcxyz"));
    }

    [Fact]
    public void A_body_over_several_packets_is_inspected_whole_once_its_last_byte_arrives()
    {
        PacketDetector detector = Detector(
            "alert tcp any any -> any any (msg:\"whole body\"; content:\"abcdefghij\"; http_client_body; sid:1;)",
            "alert tcp any any -> any any (msg:\"its start\"; pcre:\"/^abc/P\"; sid:2;)",
            "alert tcp any any -> any any (msg:\"method\"; content:\"POST\"; http_method; sid:3;)");
        var state = new DetectionFlowState();

        Assert.Equal([3L], Inspect(detector, state, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd"));
        Assert.Empty(Inspect(detector, state, "efg"));
        Assert.Equal([1L, 2L], Inspect(detector, state, "hij"));

        // The next message is a head again.
        Assert.Equal([2L, 3L], Inspect(detector, state, "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
    }
}
