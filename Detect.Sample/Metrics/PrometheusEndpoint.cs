using Detect.Sample.Output;
using Prometheus;

namespace Detect.Sample.Metrics;

/// <summary>
/// Serves every counter of the stats event over HTTP in Prometheus' text format
/// (<c>GET http://listen:port/metrics</c>) as <c>detect_sample_&lt;name, _ for .&gt;</c>, off unless
/// <c>metrics.prometheus.enabled</c>. The counters are read once per scrape, in a registry of its own
/// (none of prometheus-net's process and runtime collectors): between scrapes it costs nothing.
/// </summary>
/// <remarks>
/// prometheus-net's meter adapter would export <see cref="CaptureMetrics"/> as it is, but it observes
/// every instrument continuously: measured, about 45 ms of CPU a second on an idle host against none
/// for this scrape-time read.
/// </remarks>
internal sealed class PrometheusEndpoint : IDisposable
{
    private const string Prefix = "detect_sample_";

    private readonly Func<IEnumerable<StatsCounter>> _read;
    private readonly IMetricFactory _factory;
    private readonly Dictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);
    private readonly MetricServer _server;

    /// <exception cref="IOException">The address cannot be listened on; the message names it.</exception>
    public PrometheusEndpoint(string listen, int port, Func<IEnumerable<StatsCounter>> read)
    {
        _read = read;
        Url = $"http://{listen}:{port}/metrics";
        CollectorRegistry registry = Prometheus.Metrics.NewCustomRegistry();
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);
        registry.AddBeforeCollectCallback(Update);

        // HttpListener names "every address" +; 0.0.0.0 and :: are what an operator writes for it.
        _server = new MetricServer(listen is "0.0.0.0" or "::" or "*" ? "+" : listen, port, registry: registry);
        try
        {
            _server.Start();
        }
        catch (System.Net.HttpListenerException e)
        {
            _server.Dispose();
            throw new IOException($"metrics.prometheus: cannot listen on {Url}: {e.Message}", e);
        }
    }

    public string Url { get; }

    public void Dispose() => _server.Dispose();

    /// <summary>The exported name of a counter: dots (and anything else Prometheus does not allow) become underscores.</summary>
    internal static string NameOf(string counter) =>
        Prefix + string.Create(counter.Length, counter, static (span, name) =>
        {
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
            }
        });

    private void Update()
    {
        // Scrapes are served one at a time by the listener; the lock keeps the gauge cache whole if not.
        lock (_gauges)
        {
            foreach (StatsCounter counter in _read())
            {
                if (!_gauges.TryGetValue(counter.Name, out Gauge? gauge))
                {
                    gauge = _factory.CreateGauge(NameOf(counter.Name), $"EVE stats {counter.Name} ({MetricUnit.Of(counter.Name)})");
                    _gauges.Add(counter.Name, gauge);
                }

                gauge.Set(counter.Value);
            }
        }
    }
}
