using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Flows;

namespace FlowEngine.Pipeline;

/// <summary>
/// A snapshot of the engine's counters: decoder counters of all workers merged, flow counters,
/// <c>flow_bypassed.*</c>, <c>flow.end.state.*</c> and each capture source's counters. Taken
/// while running it may lag by a few packets; after <see cref="CaptureEngine.RunAsync"/> it is exact.
/// </summary>
public sealed class EngineStatistics
{
    private readonly FlowCounters _flows;
    private readonly KeyValuePair<string, long>[] _all;

    internal EngineStatistics(FlowCounters flows, DecoderCounters decoder, IReadOnlyList<SourceStatistics> sources)
    {
        _flows = flows;
        Decoder = decoder;
        Sources = sources;
        List<KeyValuePair<string, long>> all = [];
        long received = 0, drops = 0, interfaceDrops = 0, errors = 0, bypassPackets = 0, bypassBytes = 0;
        foreach (SourceStatistics source in sources)
        {
            CaptureStatistics c = source.Capture;
            received += c.PacketsReceived;
            drops += c.KernelDrops;
            interfaceDrops += c.InterfaceDrops;
            errors += c.Errors;
            bypassPackets += c.Bypass.Packets;
            bypassBytes += c.Bypass.Bytes;
        }

        all.Add(new("capture.kernel_packets", received));
        all.Add(new("capture.kernel_drops", drops));
        all.Add(new("capture.kernel_ifdrops", interfaceDrops));
        all.Add(new("capture.errors", errors));
        all.Add(new("capture.bypassed_pkts", bypassPackets));
        all.Add(new("capture.bypassed_bytes", bypassBytes));
        all.AddRange(decoder.Enumerate());
        all.AddRange(flows.Enumerate());
        AddLatencies(sources, all);
        _all = [.. all];
    }

    /// <summary>
    /// <c>flow_bypassed.STRATEGY.latency_count|p50_us|p99_us|max_us</c> for each strategy that
    /// measures its latency. Fanout sockets of one interface share one strategy (counted once); over
    /// several interfaces counts add up and the percentiles are the largest interface's (an upper bound).
    /// </summary>
    private static void AddLatencies(IReadOnlyList<SourceStatistics> sources, List<KeyValuePair<string, long>> all)
    {
        var perInterface = new Dictionary<(string Interface, string Strategy), BypassLatency>();
        foreach (SourceStatistics source in sources)
        {
            BypassLatency latency = source.Capture.Bypass.Latency;
            if (latency.Strategy is { } strategy)
            {
                perInterface.TryAdd((source.InterfaceName, strategy), latency);
            }
        }

        if (perInterface.Count == 0)
        {
            // No strategy measures its latency (every offline run): LINQ's grouping over these
            // structs, JIT compiled at every start, is not needed.
            return;
        }

        foreach (IGrouping<string, BypassLatency> strategy in perInterface.Values.GroupBy(l => l.Strategy!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string prefix = "flow_bypassed." + strategy.Key + ".latency_";
            all.Add(new(prefix + "count", strategy.Sum(l => l.Count)));
            all.Add(new(prefix + "p50_us", strategy.Max(l => l.P50Nanoseconds) / 1000));
            all.Add(new(prefix + "p99_us", strategy.Max(l => l.P99Nanoseconds) / 1000));
            all.Add(new(prefix + "max_us", strategy.Max(l => l.MaxNanoseconds) / 1000));
        }
    }

    /// <summary>Each source's counters.</summary>
    public IReadOnlyList<SourceStatistics> Sources { get; }

    /// <summary>Decoder counters of all workers.</summary>
    public DecoderCounters Decoder { get; }

    /// <summary>Flows created (<c>flow.total</c>).</summary>
    public long FlowsTotal => _flows.Total;

    /// <summary>Flows in the tables now (<c>flow.active</c>).</summary>
    public long FlowsActive => _flows.Active;

    /// <summary>Times a table entered emergency mode (<c>flow.emerg_mode_entered</c>).</summary>
    public long EmergencyEntered => _flows.EmergencyEntered;

    /// <summary>Packets of locally bypassed flows dropped by the engine (<c>flow_bypassed.local_pkts</c>).</summary>
    public long LocalBypassedPackets => _flows.LocalPackets;

    /// <summary>Packets of capture-bypassed flows that still reached the engine (<c>flow_bypassed.local_capture_pkts</c>).</summary>
    public long LocalCaptureBypassedPackets => _flows.LocalCapturePackets;

    /// <summary>Packets the captures dropped for bypassed flows, as folded so far (<c>flow_bypassed.pkts</c>).</summary>
    public long CaptureBypassedPackets => _flows.BypassedPackets;

    /// <summary>Every counter in EVE <c>stats</c> names (<c>decoder.pkts</c>, <c>flow.total</c>, <c>flow_bypassed.local_pkts</c>, ...).</summary>
    /// <returns>Name and value pairs.</returns>
    public IEnumerable<KeyValuePair<string, long>> Enumerate() => _all;

    /// <summary>One counter by name.</summary>
    /// <param name="name">A name as <see cref="Enumerate"/> yields it.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">No counter has that name.</exception>
    public long Get(string name)
    {
        foreach (KeyValuePair<string, long> pair in _all)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        throw new ArgumentException($"no engine counter is named '{name}'", nameof(name));
    }
}
