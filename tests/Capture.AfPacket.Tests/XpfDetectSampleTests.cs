using System.Diagnostics;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>
/// Kernel bypass rules end to end: the built Detect.Sample host runs af-packet with XDP bypass; a
/// header-only bypass rule goes into the XDP filter, a rule with content stays in user space. A
/// burst of the header-only rule's flow reaches user space with its first packet only (the filter
/// made the entries at that packet), yet the flow record counts every packet sent and the
/// bypassed counters are exactly the rest; the content rule's flow is bypassed through user space
/// as before; a flow no rule matches is delivered whole; no XDP program is left after shutdown.
/// </summary>
public sealed class XpfDetectSampleTests(XpfDetectSampleNet net) : IClassFixture<XpfDetectSampleNet>
{
    private const int FlowPackets = 40;
    private const ushort HeaderOnlyPort = 5555;
    private const ushort OtherPort = 5556;
    private const ushort ContentPort = 5557;

    [Fact]
    public async Task A_header_only_bypass_rule_bypasses_its_flow_in_the_filter_at_the_first_packet_with_exact_accounting()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"xpfe2e-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        (string configuration, string socketPath, string logs) = await DetectSampleControl.WriteConfigurationAsync(directory, net.HostInterface, $"""
            alert udp any any -> any {HeaderOnlyPort} (msg:"header only"; bypass; sid:9200001; rev:1;)
            alert udp any any -> any {ContentPort} (msg:"with content"; content:"|5a 5a 5a 5a|"; bypass; sid:9200002; rev:1;)

            """);

        (Process started, Task<string> output, Task<string> errors) = DetectSampleControl.Start(configuration, net.HostInterface, logs, "-v");
        using Process process = started;
        try
        {
            using (ControlSocket control = await DetectSampleControl.ConnectWhenCapturingAsync(net, socketPath, process, output, errors))
            {
                // The content rule's flow: its first packet alone, so that user space has bypassed it
                // before the rest comes. Then one burst: the header-only rule's whole flow, the rest
                // of the content rule's flow and a flow no rule matches.
                byte[] Frame(ushort port, int length) => KernelFrames.Udp(net, 40000, port, length);
                net.CreateSender().Send([Frame(ContentPort, 40)]);
                await Task.Delay(700);
                List<byte[]> burst = [];
                for (int i = 0; i < FlowPackets; i++)
                {
                    burst.Add(Frame(HeaderOnlyPort, 40 + i));
                    burst.Add(Frame(OtherPort, 40 + i));
                    if (i > 0)
                    {
                        burst.Add(Frame(ContentPort, 40 + i));
                    }
                }

                net.CreateSender().Send(burst);
                await Task.Delay(500);
                Assert.Equal("OK", control.Ask("{\"command\": \"shutdown\"}\n").GetProperty("return").GetString());
            }

            Assert.True(process.WaitForExit(30_000), "Detect.Sample did not exit after shutdown over the control socket");
            string log = await output + await errors;
            Assert.True(process.ExitCode == 0, $"Detect.Sample exited with {process.ExitCode}: {log}");
            Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "an XDP program remained on the interface after shutdown");

            string eve = Path.Combine(logs, "eve.json");
            JsonElement headerOnly = EveFlowRecords.ByDestinationPort(eve, HeaderOnlyPort).GetProperty("flow");
            Assert.Equal("capture", headerOnly.GetProperty("bypass").GetString());
            Assert.True(FlowPackets == headerOnly.GetProperty("pkts_toserver").GetInt64(), $"sent {FlowPackets}: {headerOnly}");
            Assert.True(FlowPackets - 1 == headerOnly.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64(), $"the filter dropped all but the first: {headerOnly}");

            JsonElement content = EveFlowRecords.ByDestinationPort(eve, ContentPort).GetProperty("flow");
            Assert.Equal("capture", content.GetProperty("bypass").GetString());
            Assert.Equal(FlowPackets, content.GetProperty("pkts_toserver").GetInt64());
            Assert.Equal(FlowPackets - 1, content.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64());

            JsonElement other = EveFlowRecords.ByDestinationPort(eve, OtherPort).GetProperty("flow");
            Assert.Equal(FlowPackets, other.GetProperty("pkts_toserver").GetInt64());
            Assert.False(other.TryGetProperty("bypass", out _), "a flow no rule bypassed is marked bypassed");

            // Both rules alerted once, on the packet user space saw; both flows capture-bypassed.
            JsonElement stats = DetectSampleControl.LastStats(eve);
            Assert.Equal(2, stats.GetProperty("detect").GetProperty("alert").GetInt64());
            Assert.Equal(2, stats.GetProperty("flow_bypassed").GetProperty("capture_success").GetInt64());
            Assert.Equal(stats.GetProperty("capture").GetProperty("kernel_packets").GetInt64(), stats.GetProperty("decoder").GetProperty("pkts").GetInt64());

            // The start-up log says which rule went to the kernel and why the other did not.
            string suricataLog = File.Exists(Path.Combine(logs, "suricata.log")) ? await File.ReadAllTextAsync(Path.Combine(logs, "suricata.log")) : string.Empty;
            Assert.Contains("1 of 1 header-only bypass rules in the XDP filter", log + suricataLog, StringComparison.Ordinal);
            Assert.Contains("bypass rule sid 9200002 stays with user space: keyword 'content'", log + suricataLog, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
