using System.Diagnostics.Metrics;
using Detect.Sample.Metrics;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

public sealed class CaptureMetricsTests
{
    [Fact]
    public void Every_stats_counter_is_an_instrument_of_the_meter_with_its_current_value()
    {
        long packets = 10;
        var clock = new ManualClock();
        using var metrics = new CaptureMetrics(
            () => [new StatsCounter("capture.kernel_packets", packets), new StatsCounter("flow_bypassed.pkts", 3)],
            clock);

        Dictionary<string, long> first = Collect();
        Assert.Equal(10, first["capture.kernel_packets"]);
        Assert.Equal(3, first["flow_bypassed.pkts"]);

        // Within the snapshot's lifetime one read serves every instrument; after it, values move.
        packets = 25;
        Assert.Equal(10, Collect()["capture.kernel_packets"]);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(25, Collect()["capture.kernel_packets"]);
    }

    [Theory]
    [InlineData("capture.kernel_packets", "{packet}")]
    [InlineData("capture.bypassed_bytes", "By")]
    [InlineData("flow.memuse", "By")]
    [InlineData("flow_bypassed.capture_success", "{flow}")]
    [InlineData("eve.redis.dropped", "{event}")]
    [InlineData("decoder.ipv4", "{packet}")]
    [InlineData("uptime", "{count}")]
    public void Units_are_spelled_as_opentelemetry_spells_them(string counter, string unit) => Assert.Equal(unit, MetricUnit.Of(counter));

    [Fact]
    public void Prometheus_names_are_the_counters_with_underscores_for_dots()
    {
        Assert.Equal("detect_sample_flow_bypassed_capture_success", PrometheusEndpoint.NameOf("flow_bypassed.capture_success"));
        Assert.Equal("detect_sample_decoder_event_ipv4_trunc_pkt", PrometheusEndpoint.NameOf("decoder.event.ipv4.trunc-pkt"));
    }

    private static Dictionary<string, long> Collect()
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CaptureMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
