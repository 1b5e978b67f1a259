using System.Globalization;
using System.Text.Json;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>
/// pcap-log on the shipped sample, read back by tshark. Bypass is off in these runs (stream depth,
/// TLS and the sample's bypass rule): bypassed packets are never written, and here every packet is to be.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PcapLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pcap-log-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Conditional_all_writes_every_packet_with_its_timestamp_lengths_and_bytes()
    {
        string logs = Run("all", "limit: 1gb");
        string file = Assert.Single(PcapFiles(logs));
        Assert.Equal(Key(Tshark.Frames(DetectHostProcess.SamplePcap)), Key(Tshark.Frames(file)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Conditional_alerts_writes_the_packets_of_alerted_flows_from_the_alert_on()
    {
        string logs = Run("alerts", "limit: 1gb");
        string file = Assert.Single(PcapFiles(logs));
        IReadOnlyList<JsonElement> alerts = new EveLog(Path.Combine(logs, "eve.json")).Alerts;
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.Equal(file, a.GetProperty("capture_file").GetString()));

        // The first alert of each flow, by its tuple, as tshark names the conversation.
        var firstAlert = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (JsonElement alert in alerts)
        {
            string conversation = Tshark.Key(EveLog.Endpoint(alert, "src"), EveLog.Endpoint(alert, "dest"));
            string timestamp = alert.GetProperty("timestamp").GetString()!;
            long at = (DateTimeOffset.ParseExact(timestamp[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds() * 1_000_000)
                + long.Parse(timestamp[20..26], CultureInfo.InvariantCulture);
            firstAlert[conversation] = Math.Min(firstAlert.GetValueOrDefault(conversation, long.MaxValue), at);
        }

        TsharkFrame[] expected = [.. Tshark.Frames(DetectHostProcess.SamplePcap)
            .Where(f => firstAlert.TryGetValue(f.Conversation, out long at) && f.Microseconds >= at)];
        Assert.True(expected.Length > alerts.Count, $"the alerted flows have packets after their alerts ({expected.Length})");
        Assert.Equal(Key(expected), Key(Tshark.Frames(file)));
    }

    [Fact]
    public void Files_rotate_at_the_limit_and_max_files_keeps_the_newest()
    {
        const long limit = 64 * 1024;
        string all = Run("all", $"limit: {limit}", "every");
        string[] files = PcapFiles(all);
        Assert.True(files.Length > 5, $"{files.Length} files");
        var frames = new List<TsharkFrame>();
        foreach (string file in files)
        {
            IReadOnlyList<TsharkFrame> inFile = Tshark.Frames(file);
            // A file ends before the packet that would take it past the limit.
            Assert.True(new FileInfo(file).Length <= limit || inFile.Count == 1, $"{file}: {new FileInfo(file).Length} bytes");
            frames.AddRange(inFile);
        }

        Assert.Equal(Key(Tshark.Frames(DetectHostProcess.SamplePcap)), Key(frames));

        string kept = Run("all", $"limit: {limit}\nmax-files: 3", "kept");
        string[] newest = PcapFiles(kept);
        Assert.Equal(files[^3..].Select(Path.GetFileName), newest.Select(Path.GetFileName));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(File.ReadAllBytes(files[files.Length - 3 + i]), File.ReadAllBytes(newest[i]));
        }
    }

    [Fact]
    public void Multi_mode_names_files_by_worker_and_writes_every_packet()
    {
        string logs = Run("all", "limit: 1gb\nmode: multi\nfilename: log.%n.%t.pcap");
        string file = Assert.Single(PcapFiles(logs, "log.1.*.pcap"));
        Assert.Equal(Key(Tshark.Frames(DetectHostProcess.SamplePcap)), Key(Tshark.Frames(file)));
    }

    [Fact]
    public void Honor_pass_rules_stops_writing_a_flow_at_its_pass_rule()
    {
        string logs = Run("all", "limit: 1gb\nhonor-pass-rules: yes");
        string file = Assert.Single(PcapFiles(logs));

        // The sample's pass rule: HOME_NET to port 80 with "GET /health" (every such client is in HOME_NET).
        var passedAt = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (TsharkFrame frame in Tshark.Frames(DetectHostProcess.SamplePcap, "tcp.dstport == 80 && frame contains \"GET /health\""))
        {
            passedAt[frame.Conversation] = Math.Min(passedAt.GetValueOrDefault(frame.Conversation, long.MaxValue), frame.Microseconds);
        }

        Assert.NotEmpty(passedAt);
        TsharkFrame[] expected = [.. Tshark.Frames(DetectHostProcess.SamplePcap)
            .Where(f => !passedAt.TryGetValue(f.Conversation, out long at) || f.Microseconds < at)];
        IReadOnlyList<TsharkFrame> written = Tshark.Frames(file);
        Assert.True(written.Count < 2264, $"{written.Count} packets written");
        Assert.Equal(Key(expected), Key(written));
    }

    [Fact]
    public void Unsupported_pcap_log_keys_are_refused_with_their_name()
    {
        string config = WriteConfig("all", "dir: /nsm", "bad");
        HostResult result = DetectHostProcess.Run("-T", "-c", config, "-l", Path.Combine(_directory, "bad"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pcap-log 'dir' is not supported", result.Error + result.Output, StringComparison.Ordinal);
    }

    // Packets as tshark sees them, in capture order; with one worker the files keep the input's order.
    private static string[] Key(IEnumerable<TsharkFrame> frames) => [.. frames.Select(f => $"{f.Time} {f.Length} {f.CaptureLength} {f.Md5}")];

    // In the order they were written: by the first packet's second, then the .1, .2, ... of the same second.
    private static string[] PcapFiles(string logs, string pattern = "log.pcap.*") =>
        [.. Directory.GetFiles(logs, pattern).OrderBy(f => Order(f, 0)).ThenBy(f => Order(f, 1))];

    private static long Order(string file, int part)
    {
        string[] parts = Path.GetFileName(file)["log.pcap.".Length..].Split('.');
        return part < parts.Length ? long.Parse(parts[part], CultureInfo.InvariantCulture) : 0;
    }

    private string Run(string conditional, string settings, string name = "run")
    {
        string config = WriteConfig(conditional, settings, name);
        string rules = Path.Combine(_directory, $"{name}.rules");
        // The sample's rules without the one that bypasses its flow.
        File.WriteAllLines(rules, File.ReadAllLines(Path.Combine(Path.GetDirectoryName(DetectHostProcess.SamplePcap)!, "sample.rules"))
            .Where(l => !l.Contains("bypass;", StringComparison.Ordinal)));
        string logs = Path.Combine(_directory, name);
        HostResult result = DetectHostProcess.Run("-c", config, "-S", rules, "-r", DetectHostProcess.SamplePcap, "-l", logs);
        Assert.True(result.ExitCode == 0, result.ToString());
        return logs;
    }

    private string WriteConfig(string conditional, string settings, string name)
    {
        string config = Path.Combine(_directory, $"{name}.yaml");
        if (!settings.Contains("filename:", StringComparison.Ordinal))
        {
            settings += "\nfilename: log.pcap";
        }

        File.WriteAllText(config, $"""
            %YAML 1.1
            ---
            vars:
              address-groups:
                HOME_NET: "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,2001:db8::/32]"
                EXTERNAL_NET: "!$HOME_NET"
              port-groups:
                HTTP_PORTS: "[80,8000:8100]"
                DNS_PORTS: "53"
            outputs:
              - eve-log:
                  enabled: yes
                  filename: eve.json
                  types: [alert, flow]
              - pcap-log:
                  enabled: yes
                  conditional: {conditional}
                  {settings.Replace("\n", "\n      ", StringComparison.Ordinal)}
            stream:
              bypass: no
            app-layer:
              protocols:
                tls:
                  encryption-handling: default
            """);
        return config;
    }
}
