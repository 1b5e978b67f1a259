namespace Detect.Sample.Output;

/// <summary>
/// The counters this host keeps that Suricata's EVE schema does not have. Every level of the
/// schema's <c>stats</c> object is closed (<c>additionalProperties: false</c>), so a pipeline that
/// validates EVE rejects a stats record carrying one of them: they are written in EVE stats only
/// with <c>outputs.eve-log.types: - stats: {host-counters: yes}</c>, and are always on the
/// <c>Detect.Sample</c> meter (docs/HOST.md, "Live counters").
/// </summary>
internal static class HostCounters
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "capture.bypassed_pkts",
        "capture.bypassed_bytes",
        "flow.emergency",
        // Suricata's name for flows taken from the table is flow.get_used (written beside it).
        "flow.evicted",
        "flow.mgr.pass_stopped",
        "flow.mgr.pass_skipped",
        "flow.end.shutdown",
        "flow.no_flow_pkts",
        "flow.output_errors",
        "flow_bypassed.requests",
        "flow_bypassed.capture_success",
        "flow_bypassed.capture_failure",
        "flow_bypassed.capture_unsupported",
        "flow_bypassed.downgraded",
        "flow_bypassed.strategy_errors",
        "flow_bypassed.restored",
        "defrag.timeouts",
        "defrag.memcap_reached",
        "decoder.event.link.unsupported_type",
        "decoder.event.internal_error",
        "decoder.event.ipv6.jumbo_without_option",
        "pcap_log.dropped",
    };

    /// <summary>Whether <paramref name="name"/> is one of this host's own counters rather than one of Suricata's.</summary>
    public static bool Contains(string name) =>
        Names.Contains(name)
        || name.StartsWith("detect.bypass.", StringComparison.Ordinal)
        || (name.StartsWith("flow_bypassed.", StringComparison.Ordinal) && name.Contains(".latency_", StringComparison.Ordinal));
}
