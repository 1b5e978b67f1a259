using System.Diagnostics.Metrics;
using Detect.Sample.Output;

namespace Detect.Sample.Metrics;

/// <summary>
/// Publishes every counter of the EVE <c>stats</c> event (capture, decoder, flow, flow_bypassed,
/// defrag, detect) on a <see cref="System.Diagnostics.Metrics"/> meter, so they can be watched live:
/// <c>dotnet-counters monitor -n Detect.Sample --counters Detect.Sample</c>, or any OpenTelemetry
/// exporter (the Prometheus endpoint, <see cref="PrometheusEndpoint"/>, reads the same counters at
/// scrape time). Instrument names are the
/// EVE dotted names (<c>capture.kernel_packets</c>), lower case and dot-namespaced as OpenTelemetry
/// names are; units in OpenTelemetry's spelling (<see cref="MetricUnit"/>).
/// </summary>
/// <remarks>
/// A collection asks every instrument in turn; one snapshot of the engine's statistics serves them
/// all for a short while instead of one snapshot per instrument.
/// </remarks>
internal sealed class CaptureMetrics : IDisposable
{
    /// <summary>The meter name dotnet-counters is given.</summary>
    public const string MeterName = "Detect.Sample";

    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromMilliseconds(250);

    private readonly Meter _meter;
    private readonly Func<IEnumerable<StatsCounter>> _read;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private Dictionary<string, long> _snapshot;
    private long _snapshotTaken;

    public CaptureMetrics(Func<IEnumerable<StatsCounter>> read, TimeProvider clock)
    {
        _read = read;
        _clock = clock;
        _meter = new Meter(MeterName, typeof(CaptureMetrics).Assembly.GetName().Version?.ToString());
        _snapshot = Take();
        _snapshotTaken = _clock.GetTimestamp();

        // The counter set is fixed once the engine exists; gauges (flow.active) and totals alike
        // are reported as their current value.
        foreach (string name in _snapshot.Keys)
        {
            string counter = name;
            _meter.CreateObservableUpDownCounter(counter, () => Read(counter), MetricUnit.Of(counter), $"EVE stats {counter}");
        }
    }

    public void Dispose() => _meter.Dispose();

    private long Read(string name)
    {
        lock (_gate)
        {
            if (_clock.GetElapsedTime(_snapshotTaken) > SnapshotLifetime)
            {
                _snapshot = Take();
                _snapshotTaken = _clock.GetTimestamp();
            }

            return _snapshot.GetValueOrDefault(name);
        }
    }

    private Dictionary<string, long> Take()
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (StatsCounter counter in _read())
        {
            values[counter.Name] = counter.Value;
        }

        return values;
    }
}
