namespace Capture.Bypass.Bench;

/// <summary>The figures of one run.</summary>
internal sealed record RunOutcome(
    string Scenario,
    double LeakPercent,
    double WorstFlowLeakPercent,
    long Sent,
    double SendSeconds,
    double WindowCpuSeconds,
    double StartupCpuSeconds,
    double ReadySeconds,
    long KernelDrops,
    long VethDrops,
    bool AccountingExact,
    string AccountingDetail,
    long LatencyCount,
    long LatencyP50Microseconds,
    long LatencyP99Microseconds,
    long LatencyMaxMicroseconds)
{
    /// <summary>Where the latency histogram is in the stats event (the xdp strategy's).</summary>
    public const string LatencyPrefix = "flow_bypassed.xdp.latency_";

    public double CpuNanosecondsPerOfferedPacket => WindowCpuSeconds * 1e9 / Math.Max(1, Sent);

    public static RunOutcome From(BypassScenario scenario, EveReadback eve, long sent, double sendSeconds, double windowCpu, double startupCpu, double readySeconds, long vethDrops)
    {
        List<EveFlow> bypassed = [.. eve.Flows.Where(f => f.DestinationPort == BypassScenario.BypassedPort)];
        List<EveFlow> other = [.. eve.Flows.Where(f => f.DestinationPort == BypassScenario.OtherPort)];
        long packets = bypassed.Sum(f => f.Packets);
        double leak = 100.0 * bypassed.Sum(f => f.Leaked) / Math.Max(1, packets);
        double worst = bypassed.Count == 0 ? 0 : bypassed.Max(f => 100.0 * f.Leaked / Math.Max(1, f.Packets));

        // Exact: one record per flow, each with every packet sent (user space + capture), none
        // bypassed that no rule matched, and the flows' bypassed{} summing to the capture's counter.
        var problems = new List<string>();
        if (sent != scenario.OfferedPackets)
        {
            problems.Add($"sender sent {sent} of {scenario.OfferedPackets}");
        }

        if (bypassed.Count != scenario.BypassedFlows || bypassed.Any(f => f.Packets != scenario.BypassedPacketsPerFlow))
        {
            problems.Add($"bypassed flows: {string.Join("; ", bypassed)}");
        }

        if (other.Count != scenario.OtherFlows || other.Any(f => f.Packets != scenario.OtherPacketsPerFlow || f.BypassedPackets != 0))
        {
            problems.Add($"other flows: {string.Join("; ", other)}");
        }

        long captureBypassed = eve.Stat("capture.bypassed_pkts");
        if (captureBypassed != bypassed.Sum(f => f.BypassedPackets))
        {
            problems.Add($"capture.bypassed_pkts {captureBypassed} != sum of bypassed{{}} {bypassed.Sum(f => f.BypassedPackets)}");
        }

        return new RunOutcome(
            scenario.Name,
            leak,
            worst,
            sent,
            sendSeconds,
            windowCpu,
            startupCpu,
            readySeconds,
            eve.Stat("capture.kernel_drops"),
            vethDrops,
            problems.Count == 0,
            string.Join(" | ", problems),
            eve.Stat(LatencyPrefix + "count"),
            eve.Stat(LatencyPrefix + "p50_us"),
            eve.Stat(LatencyPrefix + "p99_us"),
            eve.Stat(LatencyPrefix + "max_us"));
    }
}
