using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>
/// The host compiled ahead of time, as <c>scripts/publish-aot.sh</c> publishes it: one native
/// executable with the shipped plugins built in, giving what the Just-In-Time compiled host gives,
/// and refusing plugin assemblies it cannot load by name; live, its built-in af-packet plugin
/// bypasses a flow in XDP.
/// </summary>
public sealed class AheadOfTimeHostTests(AheadOfTimeHost aot) : IClassFixture<AheadOfTimeHost>
{
    [Fact]
    public void Publish_is_one_native_executable_with_its_plugins_built_in_and_the_sample_configuration_and_xdp_filters_beside_it()
    {
        string[] files = [.. Directory.GetFiles(aot.Directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(aot.Directory, f)).Order(StringComparer.Ordinal)];
        Assert.Equal(
            ["Detect.Sample", "Detect.Sample.dbg", "detect.yaml", "samples/sample.pcap", "samples/sample.rules", "xdp_bypass.o", "xdp_bypass_offload.o"],
            files);
        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], File.ReadAllBytes(aot.Executable)[..4]);

        HostResult info = aot.Run("--build-info");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains(", compiled ahead of time (Native AOT)\n", info.Output, StringComparison.Ordinal);
        Assert.Contains("Capture plugins built in: pcap-file, pcap, af-packet, netronome\n", info.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_gives_the_same_events_and_summary_as_the_just_in_time_host()
    {
        string jitLogs = Directory.CreateTempSubdirectory("detect-jit-").FullName;
        string aotLogs = Directory.CreateTempSubdirectory("detect-aot-logs-").FullName;
        try
        {
            HostResult jit = DetectHostProcess.Run("-r", DetectHostProcess.SamplePcap, "-l", jitLogs);
            HostResult native = aot.Run("-r", DetectHostProcess.SamplePcap, "-l", aotLogs);
            Assert.True(jit.ExitCode == 0, jit.ToString());
            Assert.True(native.ExitCode == 0, native.ToString());

            string summary = RunRecords.Summary(native.Output, aotLogs);
            Assert.Contains("Detect.Sample: 2,264 packets, 722,620 bytes in <elapsed>", summary, StringComparison.Ordinal);
            Assert.Equal(RunRecords.Summary(jit.Output, jitLogs), summary);

            List<string> expected = RunRecords.Events(Path.Combine(jitLogs, "eve.json"));
            List<string> actual = RunRecords.Events(Path.Combine(aotLogs, "eve.json"));
            Assert.True(actual.Count > 266, $"{actual.Count} events: fewer than the sample's 266 flows");
            Assert.Equal(expected, actual);
            Assert.Equal(RunRecords.FlowRecords(Path.Combine(jitLogs, "eve.json")), RunRecords.FlowRecords(Path.Combine(aotLogs, "eve.json")));
        }
        finally
        {
            Directory.Delete(jitLogs, recursive: true);
            Directory.Delete(aotLogs, recursive: true);
        }
    }

    [Fact]
    public void A_plugin_directory_is_refused_naming_the_built_in_plugins()
    {
        string root = Directory.CreateTempSubdirectory("detect-aot-plugins-").FullName;
        try
        {
            // The Just-In-Time build's libpcap plugin under another name: a plugin this host cannot load.
            string plugin = Path.Combine(root, "other-pcap");
            Directory.CreateDirectory(plugin);
            foreach (string file in Directory.GetFiles(Path.Combine(DetectSampleLocation.Directory, "plugins", "pcap")))
            {
                File.Copy(file, Path.Combine(plugin, Path.GetFileName(file)));
            }

            File.WriteAllText(Path.Combine(plugin, "plugin.json"), """{"name": "other-pcap", "assembly": "Capture.Libpcap.dll", "contractVersion": "1.1"}""");
            HostResult refused = aot.Run("--plugin-dir", root, "--capture-plugin", "other-pcap", "-r", DetectHostProcess.SamplePcap, "-l", root);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains(
                $"capture plugin 'other-pcap' ({plugin}): this host is compiled ahead of time and cannot load plugin assemblies; its built-in capture plugins are pcap-file, pcap, af-packet, netronome",
                refused.Error,
                StringComparison.Ordinal);

            // Beside it, a plugin the run does not ask for is only checked, never loaded.
            HostResult other = aot.Run("--plugin-dir", root, "-r", DetectHostProcess.SamplePcap, "-l", root);
            Assert.True(other.ExitCode == 0, other.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Live_it_bypasses_a_flow_in_xdp_with_its_built_in_af_packet_plugin_and_detaches_at_sigterm()
    {
        const int BypassedFlowPackets = 30;
        const int OtherFlowPackets = 20;
        using var net = new VethNamespace("aotlive");
        string work = Directory.CreateTempSubdirectory("detect-aot-live-").FullName;
        try
        {
            string yaml = XdpBypassConfiguration.Write(work, "live", net.HostInterface, "alert udp any any -> any 5555 (msg:\"AOT bypass\"; content:\"|5a 5a 5a 5a|\"; bypass; sid:9100002; rev:1;)");
            string logs = Path.Combine(work, "logs");
            HostResult result;
            using (RunningHost host = aot.Start("-c", yaml, $"--af-packet={net.HostInterface}", "-l", logs, "-v"))
            {
                host.WaitUntil(() => host.Error.Contains("Capture started", StringComparison.Ordinal), "the capture-started line", TimeSpan.FromSeconds(30));
                Assert.True(XdpLinkState.Read(net.HostInterface).Attached, "no XDP program on the interface while capturing");

                // The first packet makes the rule bypass the flow; the rest, sent once the entry is in place, are dropped by XDP.
                byte[] Frame(ushort port, int length) => KernelFrames.Udp(net, 40000, port, length);
                net.CreateSender().Send([Frame(5555, 40)]);
                Thread.Sleep(700);
                var rest = Enumerable.Range(1, BypassedFlowPackets - 1).Select(i => Frame(5555, 40 + i)).ToList();
                rest.AddRange(Enumerable.Range(0, OtherFlowPackets).Select(i => Frame(5556, 40 + i)));
                net.CreateSender().Send(rest);
                Thread.Sleep(500);
                host.Signal(RunningHost.SigTerm);
                result = DetectHostProcess.Finish(host, TimeSpan.FromSeconds(30));
            }

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "an XDP program remained on the interface after SIGTERM");
            string eve = Path.Combine(logs, "eve.json");
            JsonElement bypassed = EveFlowRecords.ByDestinationPort(eve, 5555).GetProperty("flow");
            Assert.Equal("capture", bypassed.GetProperty("bypass").GetString());
            Assert.Equal(BypassedFlowPackets, bypassed.GetProperty("pkts_toserver").GetInt64());
            Assert.Equal(BypassedFlowPackets - 1, bypassed.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64());
            JsonElement other = EveFlowRecords.ByDestinationPort(eve, 5556).GetProperty("flow");
            Assert.Equal(OtherFlowPackets, other.GetProperty("pkts_toserver").GetInt64());
            Assert.False(other.TryGetProperty("bypass", out _), "a flow no rule bypassed is marked bypassed");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
