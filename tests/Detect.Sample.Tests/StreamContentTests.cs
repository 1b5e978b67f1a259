using System.Net;
using System.Text;
using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// Contents split over TCP segments, found in the session's stream as Suricata's raw stream inspection
/// finds them (with TCP Fast Open data on the SYN), and the application layer of a flow the stream
/// engine keeps no session for, run as a process on captures built here.
/// </summary>
public sealed class StreamContentTests : IDisposable
{
    private const uint ClientIsn = 1000, ServerIsn = 5000;
    private const byte Syn = 0x02, Ack = 0x10, Psh = 0x08;

    private static readonly IPAddress Client = IPAddress.Parse("10.0.0.50");
    private static readonly IPAddress Server = IPAddress.Parse("10.0.0.61");
    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-stream-content-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_tail_follows_the_stream_in_sequence_order()
    {
        var tail = new RawStreamTail(4);
        Assert.False(tail.Continues(100));
        tail.Add(100, "abcdef"u8);
        Assert.Equal("cdef", Encoding.ASCII.GetString(tail.Bytes));
        Assert.True(tail.Continues(106));
        tail.Add(106, "gh"u8);
        Assert.Equal("efgh", Encoding.ASCII.GetString(tail.Bytes));

        // A retransmission leaves it; an overlap adds its new part; a gap restarts it.
        tail.Add(104, "ef"u8);
        Assert.Equal("efgh", Encoding.ASCII.GetString(tail.Bytes));
        tail.Add(107, "hij"u8);
        Assert.Equal(("ghij", true), (Encoding.ASCII.GetString(tail.Bytes), tail.Continues(110)));
        tail.Add(200, "x"u8);
        Assert.Equal(("x", false, true), (Encoding.ASCII.GetString(tail.Bytes), tail.Continues(110), tail.Continues(201)));
    }

    [Fact]
    public void A_flow_keeps_a_tail_only_once_a_payload_ends_in_bytes_a_stream_content_begins_with()
    {
        var empty = new Dictionary<string, string>();
        var set = new RuleSet([RuleParser.Parse("alert tcp any any -> any any (content:\"login\"; nocase; sid:1;)", empty, empty, "t.rules", 1)], [], []);
        var detector = new PacketDetector(set, new DetectionOptions());
        var state = new DetectionFlowState();
        var matches = new Rule?[4];
        FlowTuple tuple = TestTuples.Make("10.0.0.1", 40000, "10.0.0.2", 80, 6);
        RulePacket At(uint seq) => RulePacket.Direction(true) with { TcpFlags = Ack, TcpSequence = seq };

        Assert.Equal(0, detector.Inspect(tuple, At(100), "GET /index.html xxxx"u8, state, matches, out _));
        Assert.Null(state.Stream?.TailToServer);
        Assert.Equal(0, detector.Inspect(tuple, At(120), "GET /L"u8, state, matches, out _));
        Assert.NotNull(state.Stream?.TailToServer);
        Assert.Equal(1, detector.Inspect(tuple, At(126), "OGIN"u8, state, matches, out _));
        Assert.Equal(0, detector.Inspect(tuple, At(130), " again"u8, state, matches, out _));
    }

    [Fact]
    public void A_split_head_is_joined_in_sequence_until_its_blank_line_and_given_up_at_a_gap()
    {
        var split = new SplitHttpHead();
        split.Start(10, "GET /x"u8);
        Assert.True(split.Pending);
        Assert.False(split.Continue(16, " HTTP/1.1\r\n\r"u8, out _));
        Assert.False(split.Continue(10, "GET /x"u8, out _));
        Assert.True(split.Pending);
        Assert.True(split.Continue(28, "\nbody"u8, out ReadOnlySpan<byte> head));
        Assert.Equal("GET /x HTTP/1.1\r\n\r\nbody", Encoding.ASCII.GetString(head));
        Assert.False(split.Pending);

        split.Start(100, "GET /y"u8);
        Assert.False(split.Continue(120, " HTTP/1.1\r\n\r\n"u8, out _));
        Assert.False(split.Pending);
    }

    [Fact]
    public void A_content_split_between_the_syn_data_and_the_next_segment_alerts_once_unless_the_rule_is_tcp_pkt()
    {
        // TCP Fast Open: the request starts on the SYN; "d2d3" is split between the SYN and the next segment.
        byte[] first = "GET /c1c2d1d2"u8.ToArray(), second = "d3d4 HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
        string pcap = Capture(
            (true, Syn, ClientIsn, 0, first),
            (false, Syn | Ack, ServerIsn, ClientIsn + 1 + (uint)first.Length, []),
            (true, Ack | Psh, ClientIsn + 1 + (uint)first.Length, ServerIsn + 1, second),
            (false, Ack, ServerIsn + 1, ClientIsn + 1 + (uint)(first.Length + second.Length), []));

        List<long> sids = Alerts(pcap,
            [
                "alert tcp any any -> any any (content:\"d2d3\"; sid:1;)",
                "alert tcp-stream any any -> any any (content:\"d2d3\"; sid:2;)",
                "alert tcp-pkt any any -> any any (content:\"d2d3\"; sid:3;)",
                "alert tcp any any -> any any (content:\"d2\"; sid:4;)",
                "alert tcp any any -> any any (content:\"d2d3\"; flow:to_client; sid:5;)",
            ]);

        Assert.Equal([1, 2, 4], sids.Order());
    }

    [Fact]
    public void A_request_head_begun_on_the_syn_is_inspected_whole_once_a_later_segment_ends_it()
    {
        // The request line ends in the second segment, the head (its last header) in the third.
        byte[] first = "GET /a1a2d1d2"u8.ToArray(), second = "d3d4 HTTP/1.1\r\nUser-Agent: czx\r\nConnection: Keep-Aliv"u8.ToArray(), third = "e\r\n\r\n"u8.ToArray();
        uint data = ClientIsn + 1;
        string pcap = Capture(
            (true, Syn, ClientIsn, 0, first),
            (false, Syn | Ack, ServerIsn, data + (uint)first.Length, []),
            (true, Ack | Psh, data + (uint)first.Length, ServerIsn + 1, second),
            (false, Ack, ServerIsn + 1, data + (uint)(first.Length + second.Length), []),
            (true, Ack | Psh, data + (uint)(first.Length + second.Length), ServerIsn + 1, third),
            (false, Ack, ServerIsn + 1, data + (uint)(first.Length + second.Length + third.Length), []));

        List<long> sids = Alerts(pcap,
            [
                "alert tcp any any -> any any (http.method; content:\"GET\"; sid:1;)",
                "alert http any any -> any any (http.uri; content:\"d2d3\"; sid:2;)",
                "alert tcp any any -> any any (http.connection; content:\"Keep-Alive\"; sid:3;)",
                "alert tcp any any -> any any (http.user_agent; content:\"czx\"; sid:4;)",
                "alert tcp any any -> any any (http.method; content:\"d3d4\"; sid:5;)",
            ]);

        Assert.Equal([1, 2, 3, 4], sids.Order());
    }

    [Fact]
    public void A_content_is_not_found_across_a_gap_in_the_stream()
    {
        byte[] first = "xxd2"u8.ToArray(), second = "d3xx"u8.ToArray();
        string pcap = Capture(
            (true, Syn, ClientIsn, 0, []),
            (false, Syn | Ack, ServerIsn, ClientIsn + 1, []),
            (true, Ack | Psh, ClientIsn + 1, ServerIsn + 1, first),
            (true, Ack | Psh, ClientIsn + 1 + (uint)first.Length + 10, ServerIsn + 1, second));

        Assert.Empty(Alerts(pcap, ["alert tcp any any -> any any (content:\"d2d3\"; sid:1;)"]));
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void A_flow_picked_up_midstream_without_a_session_has_no_application_layer(string midstream, bool alerts)
    {
        byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        string pcap = Capture(
            (true, Ack | Psh, ClientIsn + 1, ServerIsn + 1, request),
            (false, Ack | Psh, ServerIsn + 1, ClientIsn + 1 + (uint)request.Length, response));

        List<long> sids = Alerts(pcap, ["alert http any any -> any any (sid:1;)"], "--set", $"stream.midstream={midstream}", "--set", "stream.midstream-policy=ignore");

        Assert.Equal(alerts, sids.Count > 0);
    }

    private string Capture(params (bool FromClient, int Flags, uint Seq, uint Ack, byte[] Payload)[] packets)
    {
        string path = Path.Combine(_work.FullName, $"flow-{Guid.NewGuid():N}.pcap");
        using (FileStream file = File.Create(path))
        using (var writer = new PcapWriter(file))
        {
            for (int i = 0; i < packets.Length; i++)
            {
                (bool fromClient, int flags, uint seq, uint ack, byte[] payload) = packets[i];
                byte[] segment = fromClient
                    ? PacketBuilder.TcpSegment(56290, 80, seq, ack, (byte)flags, payload)
                    : PacketBuilder.TcpSegment(80, 56290, seq, ack, (byte)flags, payload);
                byte[] ip = PacketBuilder.IPv4(fromClient ? Client : Server, fromClient ? Server : Client, PacketBuilder.Tcp, (ushort)(i + 1), segment);
                writer.Write(1_700_000_000_000_000L + (i * 1000L), Wire.Frame(ip, fromClient));
            }
        }

        return path;
    }

    private List<long> Alerts(string pcap, string[] rules, params string[] arguments)
    {
        string rulesFile = Path.Combine(_work.FullName, $"{Guid.NewGuid():N}.rules");
        File.WriteAllLines(rulesFile, rules);
        string yaml = Path.Combine(_work.FullName, "eve.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n");
        string logs = Path.Combine(_work.FullName, $"logs-{Guid.NewGuid():N}");

        HostResult result = DetectHostProcess.Run([.. arguments, "-c", yaml, "-r", pcap, "-S", rulesFile, "-l", logs, "-k", "none"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. new EveLog(Path.Combine(logs, "eve.json")).OfType("alert").Select(a => a.GetProperty("alert").GetProperty("signature_id").GetInt64())];
    }
}
