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
