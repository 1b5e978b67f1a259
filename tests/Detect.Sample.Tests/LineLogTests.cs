using Capture.Abstractions;
using Capture.Tests.Logging;
using Detect.Sample.Detection;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

/// <summary>fast.log and stats.log as Suricata writes them.</summary>
public sealed class LineLogTests : IDisposable
{
    private readonly TemporaryLogDirectory _temp = new("line-logs-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Fast_log_writes_one_suricata_line_per_alert()
    {
        var empty = new Dictionary<string, string>();
        Rule rule = RuleParser.Parse("alert tcp any any -> any any (msg:\"GPL ATTACK_RESPONSE id check returned root\"; classtype:bad-unknown; sid:2100498; rev:7;)", empty, empty, "t.rules", 1);
        Rule bare = RuleParser.Parse("alert udp any any -> any any (msg:\"no class\"; sid:9;)", empty, empty, "t.rules", 2);
        FlowTuple tcp = TestTuples.Make("82.165.177.154", 80, "10.16.1.11", 54186);
        FlowTuple udp = TestTuples.Make("2001:db8::1", 53, "2001:db8::2", 4000, 17);
        long time = new DateTimeOffset(2016, 7, 13, 22, 42, 7, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000 + 388_030_000;
        using (var fast = new FastLog(_temp.Logs, new TextLogOptions { FileName = "fast.log" }, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            fast.WriteAlert(Alert(rule, tcp, time, blocked: false));
            fast.WriteAlert(Alert(bare, udp, time, blocked: true));
        }

        string[] lines = File.ReadAllLines(_temp.PathOf("fast.log"));
        string stamp = DateTimeOffset.FromUnixTimeMilliseconds(time / 1_000_000).LocalDateTime.ToString("MM/dd/yyyy-HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            [
                $"{stamp}.388030  [**] [1:2100498:7] GPL ATTACK_RESPONSE id check returned root [**] [Classification: Potentially Bad Traffic] [Priority: 2] {{TCP}} 82.165.177.154:80 -> 10.16.1.11:54186",
                $"{stamp}.388030  [Drop] [**] [1:9:1] no class [**] [Classification: (null)] [Priority: 3] {{UDP}} 2001:0db8:0000:0000:0000:0000:0000:0001:53 -> 2001:0db8:0000:0000:0000:0000:0000:0002:4000",
            ],
            lines);
    }

    [Fact]
    public void Stats_log_writes_the_nonzero_counters_as_suricatas_table()
    {
        using (var stats = new StatsLog(_temp.Logs, new TextLogOptions { FileName = "stats.log" }, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            stats.Write(1_700_000_000L * 1_000_000_000, 93_784, [new StatsCounter("decoder.pkts", 12), new StatsCounter("decoder.ipv6", 0), new StatsCounter("flow.tcp", 3)]);
        }

        string[] lines = File.ReadAllLines(_temp.PathOf("stats.log"));
        Assert.Equal(new string('-', 84), lines[0]);
        Assert.StartsWith("Date: ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("(uptime: 1d, 02h 03m 04s)", lines[1], StringComparison.Ordinal);
        Assert.Equal("Counter                                       | TM Name                   | Value", lines[3]);
        Assert.Equal("decoder.pkts                                  | Total                     | 12", lines[5]);
        Assert.Equal("flow.tcp                                      | Total                     | 3", lines[6]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public void A_line_log_that_cannot_be_reopened_after_rotation_is_logged_and_written_on_in_its_old_file()
    {
        var empty = new Dictionary<string, string>();
        Rule rule = RuleParser.Parse("alert udp any any -> any any (msg:\"rotated\"; sid:9;)", empty, empty, "t.rules", 1);
        FlowTuple udp = TestTuples.Make("10.0.0.1", 53, "10.0.0.2", 4000, 17);
        string fastPath = _temp.PathOf("fast.log");
        string rotated = fastPath + ".1";
        var logger = new ListLogger();
        const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var outputs = new EveOutputs([], [], new FastLog(_temp.Logs, new TextLogOptions { FileName = "fast.log" }, Mode), new StatsLog(_temp.Logs, new TextLogOptions { FileName = "stats.log" }, Mode)))
        {
            outputs.WriteAlert(Alert(rule, udp, 1_000_000_000, blocked: false));
            File.Move(fastPath, rotated);
            Directory.CreateDirectory(fastPath); // the name is taken by something that is not a log file
            outputs.Reopen(logger);
            outputs.WriteAlert(Alert(rule, udp, 2_000_000_000, blocked: false));
        }

        Assert.Contains(logger.Messages, m => m.Contains(fastPath, StringComparison.Ordinal));
        Assert.Equal(2, File.ReadAllLines(rotated).Length);
    }

    private static AlertEvent Alert(Rule rule, FlowTuple tuple, long time, bool blocked) => new()
    {
        TimestampNanoseconds = time,
        FlowId = 1,
        InterfaceName = "eth0",
        Packet = tuple,
        Flow = tuple,
        ToServer = true,
        Rule = rule,
        Blocked = blocked,
        PacketsToServer = 1,
        PacketsToClient = 0,
        BytesToServer = 60,
        BytesToClient = 0,
        FlowStartNanoseconds = time,
        TunnelParentFlowId = 0,
    };
}
