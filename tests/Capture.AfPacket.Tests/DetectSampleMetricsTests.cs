using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using Xunit.Abstractions;

namespace Capture.AfPacket.Tests;

/// <summary>
/// The built host, live on the veth with XDP bypass while new flows keep arriving: the bypass
/// counters move on the .NET meter as <c>dotnet-counters</c> (installed here as a local tool) reads
/// it from the host's process, and on the Prometheus endpoint as a scraper reads it.
/// </summary>
public sealed class DetectSampleMetricsTests(DetectSampleMetricsNet net, ITestOutputHelper log) : IClassFixture<DetectSampleMetricsNet>, IDisposable
{
    /// <summary>The version the NuGet copy serves (issue 20).</summary>
    private const string CountersVersion = "10.0.750501";
    private const string Counter = "flow_bypassed.capture_success";
    private const string Scraped = "detect_sample_flow_bypassed_capture_success";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("afmet-");

    public void Dispose()
    {
        ForeignXdpProgram.DetachGeneric(net.HostInterface);
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task Dotnet_counters_and_a_prometheus_scrape_show_the_bypass_counters_moving_during_a_live_run()
    {
        string tools = InstallDotnetCounters();
        int metricsPort = LoopbackPort.Free();
        using RunningHost host = Start(metricsPort);
        host.WaitUntil(() => XdpLinkState.Read(net.HostInterface).Attached && host.Error.Contains("Capture started", StringComparison.Ordinal), "XDP attached and the capture started", Wait);

        // New flows keep coming for the whole reading: the rule bypasses each on its first packet.
        using var traffic = new CancellationTokenSource();
        Task sending = Task.Run(() => SendNewFlows(traffic.Token), traffic.Token);
        long firstScrape = 0;
        long secondScrape;
        string readings = Path.Combine(_work.FullName, "counters.json");
        (int exit, string output, string error) = (0, "", "");
        try
        {
            using var http = new HttpClient();
            var metrics = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
            host.WaitUntil(() => (firstScrape = PrometheusScrape.Value(http, metrics, Scraped)) > 0, "the endpoint showing a bypassed flow", Wait);

            // dotnet-counters reads the host's meter, by pid, once a second for a few seconds.
            (exit, output, error) = await RunTool(tools, Wait + Wait, "dotnet", "tool", "run", "dotnet-counters", "--", "collect",
                "-p", host.Id.ToString(CultureInfo.InvariantCulture), "--counters", "Detect.Sample", "--format", "json", "-o", readings,
                "--refresh-interval", "1", "--duration", "00:00:06");
            secondScrape = PrometheusScrape.Value(http, metrics, Scraped);
        }
        finally
        {
            // The sender stops however the readings end (it would send into a namespace being removed).
            await traffic.CancelAsync();
            await sending;
        }

        Assert.True(exit == 0 && File.Exists(readings), $"dotnet-counters collect against the host (pid {host.Id}) failed ({exit}), so the meter could not be read this way:\n{output}\n{error}\n{host}");
        long[] values = CounterReadings(await File.ReadAllTextAsync(readings));
        log.WriteLine($"dotnet-counters {Counter}: {string.Join(", ", values)}; scrape: {firstScrape} then {secondScrape}");
        Assert.True(values.Length >= 2, $"dotnet-counters read {Counter} {values.Length} time(s) in 6 s:\n{await File.ReadAllTextAsync(readings)}");
        Assert.True(values[^1] > values[0], $"{Counter} did not move between dotnet-counters readings: {string.Join(", ", values)}");
        Assert.True(secondScrape > firstScrape, $"{Counter} did not move between two scrapes: {firstScrape} then {secondScrape}");

        host.Signal(RunningHost.SigTerm);
        (int hostExit, string hostOutput, string hostErrors) = host.WaitForExit(Wait);
        Assert.True(hostExit == 0, $"exit {hostExit}\n{hostOutput}\n{hostErrors}");
    }

    /// <summary>The values dotnet-counters wrote for <see cref="Counter"/>, in the order read.</summary>
    private static long[] CounterReadings(string json)
    {
        using var document = JsonDocument.Parse(json);
        return
        [
            .. document.RootElement.GetProperty("Events").EnumerateArray()
                .Where(e => e.GetProperty("name").GetString()?.StartsWith(Counter + " ", StringComparison.Ordinal) == true || e.GetProperty("name").GetString() == Counter)
                .Select(e => (long)e.GetProperty("value").GetDouble()),
        ];
    }

    /// <summary>dotnet-counters in a tool manifest of the test's own; the test fails saying why when it cannot be installed.</summary>
    private string InstallDotnetCounters()
    {
        string tools = Path.Combine(_work.FullName, "tools");
        Directory.CreateDirectory(tools);
        foreach (string[] command in (string[][])[["new", "tool-manifest"], ["tool", "install", "dotnet-counters", "--version", CountersVersion]])
        {
            (int exit, string output, string error) = RunTool(tools, TimeSpan.FromMinutes(3), ["dotnet", .. command]).GetAwaiter().GetResult();
            Assert.True(exit == 0, $"installing dotnet-counters {CountersVersion} as a local tool failed at 'dotnet {string.Join(' ', command)}' ({exit}):\n{output}\n{error}");
        }

        return tools;
    }

    private void SendNewFlows(CancellationToken stop)
    {
        NetnsFrameSender sender = net.CreateSender();
        for (ushort source = 42000; !stop.IsCancellationRequested; source++)
        {
            sender.Send([.. Enumerable.Range(0, 5).Select(i => KernelFrames.Udp(net, source, 5555, 40 + i))]);
            stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunTool(string directory, TimeSpan timeout, params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var enough = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(enough.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, await output, $"{await error}\n'{string.Join(' ', command)}' did not end within {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await output, await error);
    }

    private RunningHost Start(int metricsPort) =>
        XdpBypassHost.Start(net, _work, "metrics", "alert udp any any -> any 5555 (msg:\"metrics test bypass\"; bypass; sid:9200101; rev:1;)", $"""
            metrics:
              prometheus:
                enabled: yes
                port: {metricsPort}
            """);
}
