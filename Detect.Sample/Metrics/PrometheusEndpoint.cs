using Prometheus;

namespace Detect.Sample.Metrics;

/// <summary>
/// Serves the <see cref="CaptureMetrics.MeterName"/> meter over HTTP in Prometheus' text format
/// (<c>GET http://listen:port/metrics</c>), off unless <c>metrics.prometheus.enabled</c>. Only our
/// meter is exported: prometheus-net's default process and runtime collectors are left out, so a
/// scrape costs one snapshot of the counters.
/// </summary>
internal sealed class PrometheusEndpoint : IDisposable
{
    private readonly MetricServer _server;
    private readonly IDisposable _adapter;

    /// <exception cref="IOException">The address cannot be listened on; the message names it.</exception>
    public PrometheusEndpoint(string listen, int port)
    {
        Url = $"http://{listen}:{port}/metrics";
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = true,
            SuppressDebugMetrics = true,
            SuppressEventCounters = true,
            SuppressMeters = true,
        });
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => string.Equals(instrument.Meter.Name, CaptureMetrics.MeterName, StringComparison.Ordinal),
        });
        // HttpListener names "every address" +; 0.0.0.0 and :: are what an operator writes for it.
        _server = new MetricServer(listen is "0.0.0.0" or "::" or "*" ? "+" : listen, port);
        try
        {
            _server.Start();
        }
        catch (System.Net.HttpListenerException e)
        {
            _server.Dispose();
            _adapter.Dispose();
            throw new IOException($"metrics.prometheus: cannot listen on {Url}: {e.Message}", e);
        }
    }

    public string Url { get; }

    public void Dispose()
    {
        _server.Dispose();
        _adapter.Dispose();
    }
}
