using System.Globalization;
using System.Text.Json;
using Capture.Tests.Host;
using Detect.Sample.Tests.Host;
using StackExchange.Redis;

namespace Detect.Sample.Tests.Fleet;

/// <summary>
/// The host, run as a process on the sample capture, writing eve.json and a Redis eve-log at once,
/// against a real redis-server (the run's, under keys of the test's own, or the test's own): what the
/// server holds is what the file holds.
/// </summary>
public sealed class RedisEveLogTests : IDisposable
{
    private const string Rules = "alert tcp any any -> any any (msg:\"GET\"; content:\"GET \"; sid:1; rev:1;)\n";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-redis-eve-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData("list", false)]
    [InlineData("rpush", true)]
    [InlineData("stream", true)]
    [InlineData("xadd", false)]
    public void Every_event_of_the_file_reaches_the_list_or_stream(string mode, bool pipelining)
    {
        using var redis = new RedisServer();
        string key = redis.Key("eve");
        HostResult result = Run(redis, $"mode: {mode}, key: {key}, pipelining: {{ enabled: {(pipelining ? "yes" : "no")}, batch-size: 7 }}");
        Assert.True(result.ExitCode == 0, result.ToString());

        string[] file = FileEvents();
        string[] delivered = mode switch
        {
            // LPUSH puts the newest at the head: the list read from its tail is the order written.
            "list" => [.. redis.Database.ListRange(key).Select(v => (string)v!).Reverse()],
            "rpush" => [.. redis.Database.ListRange(key).Select(v => (string)v!)],
            _ => [.. redis.Database.StreamRange(key).Select(e => (string)e["eve"]!)],
        };
        AssertSameEvents(file, delivered, result);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"redis://{redis.Host}:{redis.Port}/{key} ({file.Length:N0} events)"), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_event_of_the_file_reaches_a_subscriber_of_the_channel()
    {
        using var redis = new RedisServer();
        string key = redis.Key("eve");
        ChannelMessageQueue messages = await redis.Subscriber.SubscribeAsync(RedisChannel.Literal(key));
        HostResult result = Run(redis, $"mode: channel, key: {key}, pipelining: {{ enabled: yes, batch-size: 10 }}");
        Assert.True(result.ExitCode == 0, result.ToString());

        string[] file = FileEvents();
        var received = new List<string>();
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.Count < file.Length && !enough.IsCancellationRequested)
        {
            ChannelMessage message = await messages.ReadAsync(enough.Token);
            received.Add(message.Message!);
        }

        AssertSameEvents(file, [.. received], result);
    }

    [Fact]
    public async Task Two_sensors_into_one_stream_give_a_consumer_group_the_sum_of_both_files_each_event_naming_its_sensor()
    {
        using var redis = new RedisServer();
        string key = redis.Key("eve");
        string[] sensors = ["sensor-1", "sensor-2"];
        string[] logs = [.. sensors.Select(s => Path.Combine(_work.FullName, s))];
        string yaml = WriteConfiguration(redis, $"mode: stream, key: {key}, pipelining: {{ enabled: yes, batch-size: 50 }}");
        using (RunningHost first = DetectSampleLocation.Start([], "-c", yaml, "--set", $"sensor-name={sensors[0]}", "-S", WriteRules(), "-l", logs[0], "-r", DetectHostProcess.SamplePcap))
        using (RunningHost second = DetectSampleLocation.Start([], "-c", yaml, "--set", $"sensor-name={sensors[1]}", "-S", WriteRules(), "-l", logs[1], "-r", DetectHostProcess.SamplePcap))
        {
            HostResult one = DetectHostProcess.Finish(first, TimeSpan.FromSeconds(90));
            HostResult two = DetectHostProcess.Finish(second, TimeSpan.FromSeconds(90));
            Assert.True(one.ExitCode == 0 && two.ExitCode == 0, $"{one}\n{two}");
        }

        // The consumer: one group, reading until the stream has nothing new for it.
        await redis.Database.StreamCreateConsumerGroupAsync(key, "siem", StreamPosition.Beginning);
        var consumed = new List<string>();
        while (await redis.Database.StreamReadGroupAsync(key, "siem", "consumer-1", StreamPosition.NewMessages, count: 100) is { Length: > 0 } entries)
        {
            consumed.AddRange(entries.Select(e => (string)e["eve"]!));
            await redis.Database.StreamAcknowledgeAsync(key, "siem", [.. entries.Select(e => e.Id)]);
        }

        string[][] files = [.. logs.Select(l => File.ReadAllLines(Path.Combine(l, "eve.json")))];
        Assert.Equal(files.Sum(f => f.Length), consumed.Count);
        Assert.Equal(files.SelectMany(f => f).Order(StringComparer.Ordinal), consumed.Order(StringComparer.Ordinal));
        Assert.Equal(0, (await redis.Database.StreamPendingAsync(key, "siem")).PendingMessageCount);

        // Both sensors ran the same capture: only the host field, as Suricata writes it, tells their events apart.
        ILookup<string?, string> bySensor = consumed.ToLookup(e => JsonDocument.Parse(e).RootElement.TryGetProperty("host", out JsonElement host) ? host.GetString() : null);
        Assert.Equal(sensors, bySensor.Select(g => g.Key).Order(StringComparer.Ordinal));
        for (int i = 0; i < sensors.Length; i++)
        {
            Assert.Equal(files[i].Order(StringComparer.Ordinal), bySensor[sensors[i]].Order(StringComparer.Ordinal));
            Assert.Contains(files[i], e => e.Contains("\"event_type\":\"flow\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_server_that_is_down_drops_what_the_buffer_cannot_hold_counts_it_and_the_run_ends_in_bounded_time()
    {
        using var redis = new RedisServer(start: false);
        HostResult result = Run(redis, "key: eve, buffer-events: 4, shutdown-timeout: 1");
        Assert.True(result.ExitCode == 0, result.ToString());

        string[] file = FileEvents();
        Assert.True(file.Length > 4, result.ToString());
        JsonElement stats = JsonDocument.Parse(file.Last(l => l.Contains("\"event_type\":\"stats\"", StringComparison.Ordinal))).RootElement.GetProperty("stats").GetProperty("eve").GetProperty("redis");

        // The last stats event counts every event before it: each was dropped or waits (the 4 of the buffer and the sender's batch of 1).
        long waiting = stats.GetProperty("buffered").GetInt64();
        Assert.Equal(0, stats.GetProperty("delivered").GetInt64());
        Assert.Equal(4 + 1, waiting);
        Assert.Equal(file.Length - 1, stats.GetProperty("dropped").GetInt64() + waiting);
        Assert.Contains("not reachable at start", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains($"{waiting} event(s) were not delivered", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"(0 events written, {file.Length:N0} LOST"), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_with_require_at_start_is_one_clear_error()
    {
        using var redis = new RedisServer(password: "right");
        HostResult result = Run(redis, "key: eve, password: wrong, require-at-start: yes");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"cannot use redis://127.0.0.1:{redis.Port}/eve (require-at-start: yes)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_right_password_delivers()
    {
        using var redis = new RedisServer(password: "s3cret");
        HostResult result = Run(redis, "mode: rpush, key: eve, password: s3cret, require-at-start: yes");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(FileEvents().Length, redis.Database.ListLength("eve"));
    }

    private static void AssertSameEvents(string[] file, string[] delivered, HostResult result)
    {
        Assert.True(file.Length > 10, $"the sample run wrote only {file.Length} events\n{result}");
        Assert.True(file.Length == delivered.Length, $"file {file.Length} events, Redis {delivered.Length}\n{result}");

        // Workers may interleave differently per output; per flow the order is the same.
        Assert.Equal(file.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));
        Assert.Equal(ByFlow(file), ByFlow(delivered));
    }

    private static string[] ByFlow(string[] events) =>
        [.. events.GroupBy(e => JsonDocument.Parse(e).RootElement.TryGetProperty("flow_id", out JsonElement id) ? id.GetInt64() : 0).OrderBy(g => g.Key).SelectMany(g => g)];

    private string[] FileEvents() => File.ReadAllLines(Path.Combine(_work.FullName, "logs", "eve.json"));

    private HostResult Run(RedisServer server, string redis) =>
        DetectHostProcess.Run("-c", WriteConfiguration(server, redis), "-S", WriteRules(), "-l", Path.Combine(_work.FullName, "logs"), "-r", DetectHostProcess.SamplePcap);

    private string WriteRules()
    {
        string rules = Path.Combine(_work.FullName, "get.rules");
        File.WriteAllText(rules, Rules);
        return rules;
    }

    private string WriteConfiguration(RedisServer server, string redis)
    {
        string path = Path.Combine(_work.FullName, "detect.yaml");
        File.WriteAllText(path, $$"""
            outputs:
              - eve-log:
                  enabled: yes
                  filename: eve.json
                  types: [alert, flow, stats]
              - eve-log:
                  enabled: yes
                  filetype: redis
                  redis: { server: {{server.Host}}, port: {{server.Port}}, {{redis}} }
                  types: [alert, flow, stats]
            rule-files: []
            """);
        return path;
    }
}
