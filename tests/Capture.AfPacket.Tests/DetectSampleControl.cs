using System.Diagnostics;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>Talking to a running Detect.Sample host in the end-to-end tests: its control socket, its EVE stats, waiting on it.</summary>
internal static class DetectSampleControl
{
    /// <summary>
    /// Writes the rules and a configuration in <paramref name="directory"/>: af-packet on the
    /// interface with one thread and XDP bypass, EVE alert, flow and stats records, a control
    /// socket. Returns the configuration file, the socket's path and the log directory.
    /// </summary>
    internal static async Task<(string Configuration, string Socket, string Logs)> WriteConfigurationAsync(string directory, string iface, string rules)
    {
        string socketPath = Path.Combine(directory, "command.socket");
        string rulesFile = Path.Combine(directory, "host.rules");
        string configuration = Path.Combine(directory, "host.yaml");
        await File.WriteAllTextAsync(rulesFile, rules);
        await File.WriteAllTextAsync(configuration, $"""
            %YAML 1.1
            ---
            rule-files:
              - {rulesFile}
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
            unix-command:
              enabled: yes
              filename: {socketPath}
            af-packet:
              - interface: {iface}
                threads: 1
                bypass: yes
                block-timeout: 10
            """);
        return (configuration, socketPath, Path.Combine(directory, "logs"));
    }

    /// <summary>Starts the built host (<c>dotnet Detect.Sample.dll -c configuration --af-packet=iface -l logs ...</c>), its output and errors read as it runs.</summary>
    internal static (Process Process, Task<string> Output, Task<string> Errors) Start(string configuration, string iface, string logs, params string[] more)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { DetectSampleLocation.Host, "-c", configuration, $"--af-packet={iface}", "-l", logs }.Concat(more))
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    /// <summary>
    /// Waits for the host's control socket and XDP filter, connects (version handshake) and, as the
    /// host may serve the socket before its rings run, probes with a flow of its own (to port 5999)
    /// until the capture counts packets.
    /// </summary>
    internal static async Task<ControlSocket> ConnectWhenCapturingAsync(VethNamespace net, string socketPath, Process process, Task<string> output, Task<string> errors)
    {
        await WaitUntilAsync(() => File.Exists(socketPath) && XdpLinkState.Read(net.HostInterface).Attached, process, output, errors, "the control socket and the XDP filter");
        var control = new ControlSocket(socketPath);
        try
        {
            string stat = $"{{\"command\": \"iface-stat\", \"arguments\": {{\"iface\": \"{net.HostInterface}\"}}}}\n";
            await WaitUntilAsync(
                () =>
                {
                    net.CreateSender().Send([KernelFrames.Udp(net, 40002, 5999, 20)]);
                    Thread.Sleep(50);
                    JsonElement reply = control.Ask(stat);
                    return reply.GetProperty("return").GetString() == "OK" && reply.GetProperty("message").GetProperty("pkts").GetInt64() > 0;
                },
                process,
                output,
                errors,
                "the capture to count packets");
            return control;
        }
        catch
        {
            control.Dispose();
            throw;
        }
    }

    internal static JsonElement LastStats(string eve)
    {
        JsonElement? stats = null;
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            if (document.RootElement.GetProperty("event_type").GetString() == "stats")
            {
                stats = document.RootElement.GetProperty("stats").Clone();
            }
        }

        return stats ?? throw new InvalidOperationException($"no stats event in {eve}");
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, Process process, Task<string> output, Task<string> errors, string what)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Detect.Sample exited ({process.ExitCode}) before {what}: {await output} {await errors}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }

            await Task.Delay(50);
        }
    }
}
