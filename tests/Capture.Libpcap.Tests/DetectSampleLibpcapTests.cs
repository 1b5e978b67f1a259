using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using Xunit.Abstractions;

namespace Capture.Libpcap.Tests;

/// <summary>
/// The built host with <c>--pcap=&lt;dev&gt;</c>, as an operator runs it: live traffic on a veth and on
/// loopback becomes EVE flows whose counts equal what was sent, iface-stat counts the packets, and
/// SIGTERM stops it promptly with every flow logged.
/// </summary>
public sealed class DetectSampleLibpcapTests(LibpcapHostNet net, ITestOutputHelper log) : IClassFixture<LibpcapHostNet>, IDisposable
{
    private const int SigTerm = RunningHost.SigTerm;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly int[] FlowPackets = [10, 20, 30];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("lpcap-");

    private string Logs => Path.Combine(_work.FullName, "logs");

    private string Socket => Path.Combine(_work.FullName, "command.socket");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Pcap_on_a_veth_logs_flows_with_the_packets_sent_and_sigterm_stops_it_cleanly()
    {
        using RunningHost host = Start(net.HostInterface, "udp");
        using ControlSocket control = Connect(host);
        int probes = Probe(host, control, net.HostInterface, () => net.CreateSender().Send([KernelFrames.Udp(net, 6900, 6999, 20)]));

        var frames = new List<byte[]>();
        for (int flow = 0; flow < FlowPackets.Length; flow++)
        {
            frames.AddRange(Enumerable.Range(0, FlowPackets[flow]).Select(i => KernelFrames.Udp(net, (ushort)(6100 + flow), (ushort)(6001 + flow), 20 + i)));
        }

        net.CreateSender().Send(frames);
        int expected = probes + frames.Count;
        host.WaitUntil(() => control.InterfaceStat(net.HostInterface).GetProperty("pkts").GetInt64() >= expected, $"iface-stat to count {expected} packets", Wait);
        JsonElement stat = control.InterfaceStat(net.HostInterface);
        Assert.Equal(expected, stat.GetProperty("pkts").GetInt64());
        Assert.Equal(0, stat.GetProperty("drop").GetInt64());

        (int exitCode, string output, string errors) = Stop(host);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        string eve = Path.Combine(Logs, "eve.json");
        for (int flow = 0; flow < FlowPackets.Length; flow++)
        {
            JsonElement record = EveFlowRecords.ByDestinationPort(eve, 6001 + flow);
            Assert.Equal(net.HostInterface, record.GetProperty("in_iface").GetString());
            Assert.Equal("shutdown", record.GetProperty("flow").GetProperty("reason").GetString());
            Assert.Equal(FlowPackets[flow], record.GetProperty("flow").GetProperty("pkts_toserver").GetInt64());
        }

        JsonElement capture = LastStats(eve).GetProperty("capture");
        Assert.Equal(expected, capture.GetProperty("kernel_packets").GetInt64());
        Assert.Equal(0, capture.GetProperty("kernel_drops").GetInt64());
        Assert.Contains("ps_recv", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Pcap_on_loopback_logs_the_datagrams_sent_to_it()
    {
        // Other programs use loopback too: the filter keeps this test's port only.
        int port = 47000 + (Environment.ProcessId % 1000);
        using RunningHost host = Start("lo", $"udp and dst port {port}");
        using ControlSocket control = Connect(host);
        using var client = new UdpClient(AddressFamily.InterNetwork);
        var target = new IPEndPoint(IPAddress.Loopback, port);
        int probes = Probe(host, control, "lo", () => client.Send([1, 2, 3], target));
        const int Datagrams = 25;
        for (int i = 0; i < Datagrams; i++)
        {
            client.Send(new byte[10 + i], target);
        }

        int expected = probes + Datagrams;
        host.WaitUntil(() => control.InterfaceStat("lo").GetProperty("pkts").GetInt64() >= expected, $"iface-stat to count {expected} packets on lo", Wait);
        (int exitCode, string output, string errors) = Stop(host);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        JsonElement record = EveFlowRecords.ByDestinationPort(Path.Combine(Logs, "eve.json"), port);
        Assert.Equal("lo", record.GetProperty("in_iface").GetString());
        Assert.Equal(expected, record.GetProperty("flow").GetProperty("pkts_toserver").GetInt64());
    }

    [Fact]
    public void Without_the_capture_capabilities_the_start_fails_saying_which_are_missing()
    {
        // Root, but with CAP_NET_RAW and CAP_NET_ADMIN taken out of the bounding set: libpcap's activate is refused.
        using RunningHost host = DetectSampleLocation.Start(["setpriv", "--bounding-set", "-net_raw,-net_admin"], "--pcap=lo", "-l", Logs);
        (int exitCode, string output, string errors) = host.WaitForExit(Wait);
        Assert.True(exitCode == 1, $"exit {exitCode}\n{output}\n{errors}");
        Assert.Contains("pcap: lo: libpcap cannot capture on it: permission denied: capturing needs root or CAP_NET_RAW", errors, StringComparison.Ordinal);
    }

    private RunningHost Start(string device, string filter)
    {
        string rules = Path.Combine(_work.FullName, "none.rules");
        File.WriteAllText(rules, "alert udp any any -> any 1 (msg:\"unused\"; sid:9300001; rev:1;)\n");
        string yaml = Path.Combine(_work.FullName, "libpcap.yaml");
        File.WriteAllText(yaml, $"""
            %YAML 1.1
            ---
            rule-files:
              - {rules}
            unix-command:
              enabled: yes
              filename: {Socket}
            pcap:
              - interface: {device}
                checksum-checks: no
              - interface: default
                bpf-filter: "{filter}"
            """);
        return DetectSampleLocation.Start("-c", yaml, $"--pcap={device}", "-l", Logs, "-v");
    }

    private ControlSocket Connect(RunningHost host)
    {
        host.WaitUntil(() => File.Exists(Socket) && host.Error.Contains("Capture started", StringComparison.Ordinal), "the control socket and the capture", Wait);
        return new ControlSocket(Socket);
    }

    /// <summary>Sends probes until iface-stat counts one: the capture runs. Returns how many were sent.</summary>
    private static int Probe(RunningHost host, ControlSocket control, string device, Action send)
    {
        int probes = 0;
        host.WaitUntil(
            () =>
            {
                send();
                probes++;
                Thread.Sleep(100);
                return control.InterfaceStat(device).GetProperty("pkts").GetInt64() > 0;
            },
            "the capture to count a probe",
            Wait);

        // Probes still in flight are counted before the test's own traffic goes out.
        host.WaitUntil(() => control.InterfaceStat(device).GetProperty("pkts").GetInt64() == probes, $"iface-stat to count all {probes} probes", Wait);
        return probes;
    }

    private (int ExitCode, string Output, string Error) Stop(RunningHost host)
    {
        var stopping = Stopwatch.StartNew();
        host.Signal(SigTerm);
        (int, string, string) result = host.WaitForExit(Wait);
        log.WriteLine($"stopped {stopping.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed.TotalSeconds:F2} s\n{host}");
        return result;
    }

    private static JsonElement LastStats(string eve)
    {
        JsonElement? last = null;
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("event_type").GetString() == "stats")
            {
                last = document.RootElement.GetProperty("stats").Clone();
            }
        }

        return last ?? throw new InvalidOperationException($"no stats event in {eve}");
    }
}
