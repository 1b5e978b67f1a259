using System.Globalization;
using System.Text.RegularExpressions;
using Capture.Tests.Host;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests.Fleet;

/// <summary>
/// A live-like run (the capture comes through a FIFO, so the run lasts as long as the test wants):
/// the Prometheus endpoint serves the counters while they move, and Redis stopped and started
/// mid-run costs only what is counted as dropped.
/// </summary>
public sealed partial class HostFleetTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-fleet-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Logs => Path.Combine(_work.FullName, "logs");

    [Fact]
    public async Task Prometheus_serves_the_counters_while_they_move_and_redis_stopped_mid_run_loses_only_what_is_counted()
    {
        using var redis = new RedisServer(own: true);
        int metricsPort = LoopbackPort.Free();
        string yaml = Path.Combine(_work.FullName, "detect.yaml");
        await File.WriteAllTextAsync(yaml, $$"""
            outputs:
              - eve-log:
                  enabled: yes
                  filename: eve.json
                  types: [flow, stats]
              - eve-log:
                  enabled: yes
                  filetype: redis
                  redis: { port: {{redis.Port}}, mode: rpush, key: eve, buffer-events: 3, pipelining: { enabled: yes, batch-size: 10 } }
                  types: [flow, stats]
            stats: { enabled: yes, interval: 1 }
            rule-files: []
            """);
        string pipe = Path.Combine(_work.FullName, "capture.pipe");
        NamedPipe.Create(pipe);

        using RunningHost host = DetectSampleLocation.Start([], "-c", yaml, "-r", pipe, "-l", Logs, "--set", "metrics.prometheus.enabled=yes", "--set", $"metrics.prometheus.port={metricsPort}");
        await using var writer = new FileStream(pipe, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
        var packets = new UdpFlowCapture(writer, flows: 50);
        packets.Write(500);
        await writer.FlushAsync();

        using var http = new HttpClient();
        var metrics = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
        long first = 0;
        host.WaitUntil(() => (first = PrometheusScrape.Value(http, metrics, "detect_sample_capture_kernel_packets")) >= 500, "the endpoint showing 500 packets", TimeSpan.FromSeconds(60));
        host.WaitUntil(() => redis.Database.ListLength("eve") > 0, "a stats event in Redis", TimeSpan.FromSeconds(30));

        // Redis goes away for a while: stats events (one a second) fill the buffer of 3, then are dropped.
        redis.Stop();
        packets.Write(500);
        await writer.FlushAsync();
        host.WaitUntil(() => PrometheusScrape.Value(http, metrics, "detect_sample_eve_redis_dropped") > 0, "drops counted on the endpoint", TimeSpan.FromSeconds(60));
        Assert.True(PrometheusScrape.Value(http, metrics, "detect_sample_capture_kernel_packets") >= first + 500, "the packet counter moved");
        redis.Start();

        packets.Dispose();
        await writer.DisposeAsync();
        HostResult result = DetectHostProcess.Finish(host, TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.ToString());

        string[] file = await File.ReadAllLinesAsync(Path.Combine(Logs, "eve.json"));
        long delivered = redis.Database.ListLength("eve");
        Match summary = RedisSummary().Match(result.Output);
        Assert.True(summary.Success, result.ToString());
        long written = long.Parse(summary.Groups["written"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        long lost = long.Parse(summary.Groups["lost"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Equal(delivered, written);
        Assert.Equal(file.Length, written + lost);
        Assert.True(lost > 0, result.ToString());

        // What Redis holds is the file's events, each once; the rest is what the summary counts as lost
        // (stats events while it was down, and most of the 50 flows ending at once into a buffer of 3).
        string[] inRedis = [.. redis.Database.ListRange("eve").Select(v => (string)v!)];
        Assert.Empty(inRedis.Except(file, StringComparer.Ordinal));
        Assert.Equal(inRedis.Length, inRedis.Distinct(StringComparer.Ordinal).Count());
    }

    [GeneratedRegex(@"eve log: +redis://\S+ \((?<written>[0-9,]+) events written, (?<lost>[0-9,]+) LOST", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RedisSummary();
}
