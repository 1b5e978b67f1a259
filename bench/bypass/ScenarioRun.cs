using System.Diagnostics;
using System.Globalization;
using System.Text;
using Capture.Tests.Host;
using Capture.Tests.Kernel;

namespace Capture.Bypass.Bench;

/// <summary>
/// One run of one scenario from a cold start: a new host process with XDP bypass on the veth,
/// READY, the traffic, SIGTERM, then eve.json read back.
/// </summary>
internal static class ScenarioRun
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    public static RunOutcome Execute(BypassScenario scenario, VethNamespace net, FastSender sender, BenchSettings settings)
    {
        string directory = Directory.CreateTempSubdirectory($"bypass-bench-{scenario.Name}-").FullName;
        try
        {
            string logs = Path.Combine(directory, "logs");
            string configuration = WriteConfiguration(directory, net.HostInterface, settings.InterfaceKeys);
            using var ready = new ReadyListener();
            // Detect.Sample.dll runs under dotnet; the host compiled ahead of time is its own executable.
            string[] hostCommand = settings.Host.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", "exec", settings.Host]
                : [settings.Host];
            string[] command = settings.Nice != 0
                ? ["nice", "-n", settings.Nice.ToString(CultureInfo.InvariantCulture), .. hostCommand]
                : hostCommand;
            var start = new ProcessStartInfo(command[0])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in (string[])[.. command[1..], "-c", configuration, $"--af-packet={net.HostInterface}", "-l", logs, .. settings.HostArguments])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["NOTIFY_SOCKET"] = ready.Path;
            foreach ((string name, string value) in settings.Environment)
            {
                start.Environment[name] = value;
            }

            using var host = new RunningHost(Process.Start(start) ?? throw new InvalidOperationException("cannot start the host"));
            var clock = Stopwatch.StartNew();
            if (!ready.WaitReady(TimeSpan.FromSeconds(60), () => host.HasExited))
            {
                throw new InvalidOperationException($"the host did not report READY=1\n{host}");
            }

            double readyCpu = ProcessCpu.Seconds(host.Id);
            double readySeconds = clock.Elapsed.TotalSeconds;
            long vethDropsBefore = VethDrops(net);
            double cpuBefore = ProcessCpu.Seconds(host.Id);
            var window = Stopwatch.StartNew();

            // The bypassed flows first, then the others, one sender at a time: fastsender stops at the
            // first frame the veth refuses (its XDP ring is 256 frames), and two senders at once overrun it.
            string device = scenario.Vxlan ? VxlanTunnel.Ensure(net) : net.PeerInterface;
            long sent = Send(sender, net, device, BypassScenario.BypassedPort, scenario.BypassedFlows, scenario.BypassedPacketsPerFlow, scenario.PacketsPerSecond);
            if (scenario.OtherFlows > 0)
            {
                sent += Send(sender, net, device, BypassScenario.OtherPort, scenario.OtherFlows, scenario.OtherPacketsPerFlow, scenario.PacketsPerSecond);
            }

            double sendSeconds = window.Elapsed.TotalSeconds;

            // The last partly filled ring block retires within block-timeout; the settle covers it.
            Thread.Sleep(Settle);
            double windowCpu = ProcessCpu.Seconds(host.Id) - cpuBefore;
            long vethDrops = VethDrops(net) - vethDropsBefore;

            host.Signal(RunningHost.SigTerm);
            (int exitCode, string output, string error) = host.WaitForExit(TimeSpan.FromSeconds(60));
            File.WriteAllText(Path.Combine(directory, "host.out"), output + error);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"the host exited with {exitCode}\n{output}\n{error}");
            }

            EveReadback eve = EveReadback.Read(Path.Combine(logs, "eve.json"), BypassScenario.BypassedPort, BypassScenario.OtherPort);
            return RunOutcome.From(scenario, eve, sent, sendSeconds, windowCpu, readyCpu, readySeconds, vethDrops);
        }
        finally
        {
            if (settings.KeepLogs)
            {
                Console.Error.WriteLine($"# kept {directory}");
            }
            else
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static long Send(FastSender sender, VethNamespace net, string device, int port, int flows, int packetsPerFlow, int rate)
    {
        using Process process = sender.Start(net.NamespaceName, device, Mac(net.HostMac), port, flows, packetsPerFlow, rate);
        return FastSender.Finish(process);
    }

    /// <summary>Frames the veth pair dropped (the receiving end's XDP ring or backlog full): sent but never seen by XDP or the ring.</summary>
    private static long VethDrops(VethNamespace net)
    {
        string peer = Exec.Run("ip", "netns", "exec", net.NamespaceName, "cat", $"/sys/class/net/{net.PeerInterface}/statistics/tx_dropped");
        return net.HostStatistic("rx_dropped") + long.Parse(peer.Trim(), CultureInfo.InvariantCulture);
    }

    private static string Mac(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static string WriteConfiguration(string directory, string interfaceName, IReadOnlyList<KeyValuePair<string, string>> interfaceKeys)
    {
        string rules = Path.Combine(directory, "bypass.rules");
        File.WriteAllText(rules, $"alert udp any any -> any {BypassScenario.BypassedPort} (msg:\"bench: bypass on the first packet\"; bypass; sid:9700001; rev:1;)\n");
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            %YAML 1.1
            ---
            rule-files:
              - {rules}
            outputs:
              - eve-log:
                  enabled: yes
                  filetype: regular
                  filename: eve.json
                  types:
                    - alert
                    - flow
                    - stats:
                        host-counters: yes
            stats:
              enabled: yes
              interval: 3600
            af-packet:
              - interface: {interfaceName}
                threads: 1
                bypass: yes
                xdp-mode: driver

            """);
        foreach ((string key, string value) in interfaceKeys)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    {key}: {value}\n");
        }

        string path = Path.Combine(directory, "bench.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }
}
