using System.Diagnostics;
using System.Text;
using Capture.Hosting.Configuration;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Tests.Fleet;

/// <summary>The Redis destination against a real redis-server that is down, started, stopped mid-run and started again.</summary>
public sealed class EveRedisDestinationTests
{
    [Fact]
    public void A_server_down_at_start_and_stopped_mid_run_loses_only_what_it_counts_as_dropped()
    {
        using var redis = new RedisServer(start: false);
        var options = new EveRedisOptions { Port = redis.Port, Mode = EveRedisMode.RightPush, Key = "eve", Pipelining = true, BatchSize = 8, BufferEvents = 50, ShutdownTimeout = TimeSpan.FromSeconds(30) };
        var expected = new List<string>();
        int appended = 0;
        var destination = new EveRedisDestination(options, NullLogger.Instance);
        try
        {
            void Append(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    string line = $"{{\"n\":{appended++}}}";
                    WriteOutcome outcome = destination.Append(Encoding.UTF8.GetBytes(line + "\n"));
                    if (outcome is not (WriteOutcome.Failed or WriteOutcome.StillFailing))
                    {
                        expected.Add(line);
                    }
                }
            }

            // Down at start: everything waits.
            Append(20);
            Assert.Equal(0, destination.Dropped);
            redis.Start();
            WaitUntil(() => destination.Delivered == 20, "the 20 buffered events reach the server once it runs");

            // Stopped mid-run: the buffer fills, then events are dropped and counted.
            redis.Stop();
            Append(200);
            Assert.True(destination.Dropped > 0, $"dropped {destination.Dropped}");
            Assert.True(destination.Buffered >= options.BufferEvents, $"buffered {destination.Buffered}");

            redis.Start();
            WaitUntil(() => destination.Buffered == 0, "the buffer empties once the server is back");
            Append(10);
        }
        finally
        {
            destination.Dispose();
        }

        Assert.Equal(0, destination.Undelivered);
        Assert.Equal(appended, destination.Delivered + destination.Dropped);
        Assert.Equal(expected, redis.Database.ListRange("eve").Select(v => (string)v!));
    }

    [Fact]
    public void At_the_end_what_the_server_did_not_take_within_the_timeout_is_counted_not_delivered()
    {
        using var redis = new RedisServer(start: false);
        var destination = new EveRedisDestination(new EveRedisOptions { Port = redis.Port, Key = "eve", BufferEvents = 100, ShutdownTimeout = TimeSpan.FromMilliseconds(200) }, NullLogger.Instance);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(WriteOutcome.Buffered, destination.Append("{}\n"u8));
        }

        destination.Dispose();
        Assert.Equal(30, destination.Undelivered);
        Assert.Equal(30, destination.LinesLost);
        Assert.Equal(0, destination.Delivered);
        Assert.Contains("did not take the buffered events", destination.FirstError, StringComparison.Ordinal);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{what}: not within 60 s");
            Thread.Sleep(20);
        }
    }
}
