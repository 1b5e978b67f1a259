using System.Diagnostics.Metrics;
using Capture.Abstractions;
using Capture.Linux.Xdp.Bypass;

namespace Capture.Ebpf.Tests;

/// <summary>The latency histogram: buckets, percentiles within its resolution, the exact maximum, and the meter instrument.</summary>
public sealed class BypassLatencyHistogramTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(15L)]
    [InlineData(16L)]
    [InlineData(1_000L)]
    [InlineData(123_456_789L)]
    [InlineData(long.MaxValue)]
    public void Every_value_falls_in_a_bucket_whose_bounds_hold_it_within_a_sixteenth(long value)
    {
        int bucket = BypassLatencyHistogram.BucketOf(value);
        long upper = BypassLatencyHistogram.UpperBound(bucket);
        Assert.InRange(value, bucket == 0 ? 0 : BypassLatencyHistogram.UpperBound(bucket - 1) + 1, upper);
        Assert.True(upper - value <= value / 16, $"bucket {bucket} ends at {upper}");
    }

    [Fact]
    public void Percentiles_are_within_the_resolution_and_the_maximum_is_exact()
    {
        var histogram = new BypassLatencyHistogram("xdp", "test0");
        Assert.Equal(new BypassLatency("xdp", 0, 0, 0, 0), histogram.Snapshot());
        for (long us = 1000; us >= 1; us--)
        {
            histogram.Record(us * 1000);
        }

        histogram.Record(-5); // a clock step: counted as 0
        BypassLatency latency = histogram.Snapshot();
        Assert.Equal(1001, latency.Count);
        Assert.InRange(latency.P50Nanoseconds, 500_000, 500_000 * 17 / 16);
        Assert.InRange(latency.P99Nanoseconds, 990_000, 1_000_000);
        Assert.Equal(1_000_000, latency.MaxNanoseconds);
    }

    [Fact]
    public void Each_sample_goes_to_the_meter_in_microseconds_with_strategy_and_interface()
    {
        var seen = new List<(double Value, string? Strategy, string? Interface)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BypassLatencyHistogram.MeterName && instrument.Name == "capture.bypass.latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? strategy = null, iface = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                strategy = tag.Key == "strategy" ? tag.Value as string : strategy;
                iface = tag.Key == "interface" ? tag.Value as string : iface;
            }

            if (iface == "meter0")
            {
                lock (seen)
                {
                    seen.Add((value, strategy, iface));
                }
            }
        });
        listener.Start();

        new BypassLatencyHistogram("xdp", "meter0").Record(2_500_000);

        Assert.Equal([(2500.0, "xdp", "meter0")], seen);
    }
}
