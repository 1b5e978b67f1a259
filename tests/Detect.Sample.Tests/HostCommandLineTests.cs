using System.Text.Json;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>The host's command line, exit codes and error messages, run as a process.</summary>
public sealed class HostCommandLineTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-cli-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_work.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string LogDirectory => Path.Combine(_work.FullName, "logs");

    [Fact]
    public void A_rule_with_bypass_shows_bypass_fields_and_exact_totals()
    {
        string rules = Write("bypass.rules", "alert tcp any any -> any 8000 (msg:\"backup download\"; content:\"GET /backup\"; bypass; sid:42; rev:2;)\n");
        // detect.bypass.* are this host's own counters: in EVE stats only with host-counters.
        string yaml = Write("host-counters.yaml", "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n        - flow\n        - stats:\n            host-counters: yes\n");
        HostResult result = DetectHostProcess.Run("-c", yaml, "-r", DetectHostProcess.SamplePcap, "-S", rules, "-l", LogDirectory, "--set", "stream.bypass=no", "--set", "app-layer.protocols.tls.encryption-handling=default");
        Assert.True(result.ExitCode == 0, result.ToString());
        var eve = new EveLog(Path.Combine(LogDirectory, "eve.json"));

        JsonElement flow = Assert.Single(eve.Flows, f => f.GetProperty("flow").TryGetProperty("bypass", out _));
        Assert.Equal(8000, flow.GetProperty("dest_port").GetInt32());
        JsonElement counters = flow.GetProperty("flow");
        Assert.Equal("bypassed", counters.GetProperty("state").GetString());
        Assert.True(counters.GetProperty("alerted").GetBoolean());
        JsonElement alert = Assert.Single(eve.Alerts);
        Assert.Equal(42, alert.GetProperty("alert").GetProperty("signature_id").GetInt64());
        Assert.Equal(2, alert.GetProperty("alert").GetProperty("rev").GetInt64());
        Assert.Equal(flow.GetProperty("flow_id").GetInt64(), alert.GetProperty("flow_id").GetInt64());
        Assert.Equal(4, flow.GetProperty("ip_v").GetInt32());
        Assert.Equal(4, alert.GetProperty("ip_v").GetInt32());

        // Engine's own plus the capture's packets are every packet of the flow in the capture.
        TsharkConversation conversation = Tshark.Conversations(DetectHostProcess.SamplePcap)
            .Single(c => Tshark.Key(c.A, c.B) == Tshark.Key(EveLog.Endpoint(flow, "src"), EveLog.Endpoint(flow, "dest")));
        string context = $"{flow.GetRawText()}\n{result}";
        Assert.True(conversation.Frames == EveLog.Packets(flow), $"tshark has {conversation.Frames} frames: {context}");
        Assert.True(conversation.FramesAToB == counters.GetProperty("pkts_toserver").GetInt64(), $"tshark has {conversation.FramesAToB} frames to the server: {context}");
        Assert.True(conversation.FramesBToA == counters.GetProperty("pkts_toclient").GetInt64(), $"tshark has {conversation.FramesBToA} frames to the client: {context}");
        if (counters.GetProperty("bypass").GetString() == "capture")
        {
            JsonElement capture = counters.GetProperty("bypassed");
            Assert.True(capture.GetProperty("pkts_toclient").GetInt64() >= 0);
        }

        JsonElement stats = eve.LastStats;
        Assert.Equal(1, stats.GetProperty("detect").GetProperty("bypass").GetProperty("rule").GetInt64());
    }

    [Fact]
    public void Test_mode_loads_configuration_plugin_and_rules_opens_nothing_and_answers_0_or_1()
    {
        HostResult good = DetectHostProcess.Run("-T", "-l", LogDirectory);
        HostResult badKey = DetectHostProcess.Run("-T", "-l", LogDirectory, "--set", "flow.hash-size=lots");
        HostResult badRules = DetectHostProcess.Run("-T", "-l", LogDirectory, "-S", Write("bad.rules", "alert nonsense\n"));

        Assert.True(good.ExitCode == 0, good.ToString());
        Assert.Matches(@"configuration .*detect\.yaml is good: capture plugin pcap-file; 6 rules loaded from 1 file\(s\), 0 failed", good.Output);
        Assert.False(Directory.Exists(LogDirectory), "-T created the log directory");
        Assert.True(badKey.ExitCode == 1, badKey.ToString());
        Assert.Contains("flow.hash-size", badKey.Error, StringComparison.Ordinal);
        Assert.True(badRules.ExitCode == 1, badRules.ToString());
        Assert.Contains("-T: 1 rule(s) could not be loaded; first: ", badRules.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_that_cannot_be_loaded_are_skipped_and_counted_unless_init_errors_are_fatal()
    {
        string rules = Write("mixed.rules",
            "alert udp any any -> any 53 (msg:\"dns\"; sid:1;)\n" +
            "alert udp any any -> any 53 (msg:\"unknown keyword\"; frobnicate; sid:2;)\n" +
            "alert tcp any any -> any 80 (msg:\"web\"; content:\"GET\"; sid:3;)\n");

        HostResult lenient = DetectHostProcess.Run("-l", LogDirectory, "-S", rules);
        HostResult fatal = DetectHostProcess.Run("-l", LogDirectory + "-fatal", "-S", rules, "--init-errors-fatal");

        Assert.True(lenient.ExitCode == 0, lenient.ToString());
        Assert.Contains("  rules:          2 loaded, 1 failed", lenient.Output, StringComparison.Ordinal);
        Assert.Contains($"{rules}:2:", lenient.Error, StringComparison.Ordinal);
        Assert.True(fatal.ExitCode == 2, fatal.ToString());
        Assert.Contains($"--init-errors-fatal: 1 rule(s) could not be loaded; first: {rules}:2:", fatal.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(LogDirectory + "-fatal"), "the run went on");
    }

    [Fact]
    public void Set_overrides_change_behaviour()
    {
        HostResult plain = DetectHostProcess.Run("-l", LogDirectory);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        int bypassedByDefault = new EveLog(Path.Combine(LogDirectory, "eve.json")).Flows.Count(f => f.GetProperty("flow").TryGetProperty("bypass", out _));

        // eve.json is appended to: the second run writes into a directory of its own.
        string second = LogDirectory + "-overridden";
        HostResult overridden = DetectHostProcess.Run("-l", second, "--set", "stream.bypass=no", "--set", "app-layer.protocols.tls.encryption-handling=default", "--set", "outputs.0.eve-log.community-id=no");
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        var eve = new EveLog(Path.Combine(second, "eve.json"));
        Assert.Equal(6, bypassedByDefault);
        Assert.Single(eve.Flows, f => f.GetProperty("flow").TryGetProperty("bypass", out _)); // only the rule's
        Assert.DoesNotContain(eve.Flows, f => f.TryGetProperty("community_id", out _));
    }

    [Trait("Category", SharedPcaps.Category)]
    [Fact]
    public void Reads_every_capture_of_a_directory()
    {
        string captures = Directory.CreateDirectory(Path.Combine(_work.FullName, "captures")).FullName;
        // Named so that capture time moves forward from file to file (2006, then 2026), as in a
        // directory a sensor wrote: the engine's packet clock does not go back between files.
        File.Copy(SharedPcaps.Get("pcapplusplus/four_ipv6_http_streams.pcap"), Path.Combine(captures, "a.pcap"));
        File.Copy(DetectHostProcess.SamplePcap, Path.Combine(captures, "b.pcap"));
        HostResult result = DetectHostProcess.Run("-r", captures, "-l", LogDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        var eve = new EveLog(Path.Combine(LogDirectory, "eve.json"));
        const int Packets = 2264 + 81;
        JsonElement stats = eve.LastStats;
        Assert.Equal(Packets, stats.GetProperty("decoder").GetProperty("pkts").GetInt64() + stats.GetProperty("flow_bypassed").GetProperty("pkts").GetInt64());
        Assert.Equal(266 + 4, eve.Flows.Count);

        // Every packet counts in one flow: a GRE packet in the flow inside it (no GRE flow, as in Suricata).
        Assert.Equal(Packets, eve.Flows.Sum(EveLog.Packets));
    }

    [Fact]
    public void A_missing_capture_is_a_usage_error()
    {
        HostResult result = DetectHostProcess.Run("-r", Path.Combine(_work.FullName, "nope.pcap"), "-l", LogDirectory);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope.pcap: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_yaml_names_file_line_and_key()
    {
        string config = Write("bad.yaml", "%YAML 1.1\n---\nflow:\n  hash-size: lots\n");
        HostResult result = DetectHostProcess.Run("-c", config, "-l", LogDirectory);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:4: flow.hash-size:", result.Error, StringComparison.Ordinal);

        HostResult badSet = DetectHostProcess.Run("-l", LogDirectory, "--set", "stream.reassembly.depth=huge");
        Assert.Equal(2, badSet.ExitCode);
        Assert.Contains("--set:1: stream.reassembly.depth:", badSet.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_plugin_that_is_not_loaded_is_named_with_the_loaded_ones()
    {
        HostResult result = DetectHostProcess.Run("--capture-plugin", "dpdk", "-l", LogDirectory);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("capture plugin 'dpdk' is not available; loaded plugins:", result.Error, StringComparison.Ordinal);
        Assert.Contains("pcap", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_rules_are_skipped_with_file_and_line_and_a_set_with_none_loading_runs_without_detection()
    {
        string mixed = Write("mixed.rules", "alert tcp any any -> any 80 (msg:\"ok\"; content:\"GET\"; sid:1;)\nalert tcp any any -> any 80 (msg:\"bad\"; sid:1x;)\n");
        HostResult result = DetectHostProcess.Run("-S", mixed, "-l", LogDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"{mixed}:2: sid: '1x' is not allowed", result.Error, StringComparison.Ordinal);

        string bad = Write("bad.rules", "alert tcp any any -> any 80 (msg:\"bad\"; frobnicate:set,x; sid:1;)\n");
        HostResult none = DetectHostProcess.Run("-S", bad, "-l", LogDirectory);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains($"{bad}:1: keyword 'frobnicate' is not supported", none.Error, StringComparison.Ordinal);
        Assert.Contains("1 rule file(s) specified, but no rules were loaded; the run goes on without detection", none.Error, StringComparison.Ordinal);
        Assert.Contains("  rules:          0 loaded, 1 failed", none.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unix_command_auto_serves_no_socket_when_reading_a_capture_as_suricata()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"detect-auto-{Guid.NewGuid():N}.socket");
        HostResult auto = DetectHostProcess.Run("-v", "-r", DetectHostProcess.SamplePcap, "-l", LogDirectory, "--set", "unix-command.enabled=auto", "--set", $"unix-command.filename={socket}");
        HostResult yes = DetectHostProcess.Run("-v", "-r", DetectHostProcess.SamplePcap, "-l", LogDirectory, "--set", "unix-command.enabled=yes", "--set", $"unix-command.filename={socket}");

        Assert.True(auto.ExitCode == 0, auto.ToString());
        Assert.DoesNotContain("Control socket listening", auto.Error, StringComparison.Ordinal);
        Assert.True(yes.ExitCode == 0, yes.ToString());
        Assert.Contains($"Control socket listening on {socket}", yes.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_exit_2_and_help_exits_0()
    {
        HostResult unknown = DetectHostProcess.Run("--frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("Detect.Sample: unknown option '--frobnicate' (see --help)", unknown.Error.Trim());

        HostResult help = DetectHostProcess.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--capture-plugin <name>", help.Output, StringComparison.Ordinal);
    }
}
