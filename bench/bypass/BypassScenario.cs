namespace Capture.Bypass.Bench;

/// <summary>
/// One live scenario: flows a rule bypasses on their first packet and flows it leaves alone, sent
/// side by side by two fastsender processes (round-robin over each one's flows).
/// </summary>
/// <param name="Name">S1, S2, S3.</param>
/// <param name="BypassedFlows">Flows to the bypassed port.</param>
/// <param name="BypassedPacketsPerFlow">Packets each of them.</param>
/// <param name="OtherFlows">Flows to the other port (not bypassed).</param>
/// <param name="OtherPacketsPerFlow">Packets each of them.</param>
/// <param name="PacketsPerSecond">Offered rate; 0 = as fast as the sender goes.</param>
/// <param name="Vxlan">Sent through a VXLAN device in the namespace (<see cref="VxlanTunnel"/>): every flow inside one tunnel.</param>
internal sealed record BypassScenario(string Name, int BypassedFlows, int BypassedPacketsPerFlow, int OtherFlows, int OtherPacketsPerFlow, int PacketsPerSecond, bool Vxlan = false)
{
    /// <summary>The port the bypass rule matches.</summary>
    public const int BypassedPort = 7001;

    /// <summary>The port no rule matches.</summary>
    public const int OtherPort = 7002;

    public static IReadOnlyList<BypassScenario> All { get; } =
    [
        new("S1", 10, 2_000, 10, 500, 0),
        new("S2", 10, 100_000, 0, 0, 0),
        new("S3", 10, 2_000, 10, 500, 50_000),
        new("T1", 10, 2_000, 10, 500, 0, Vxlan: true),
    ];

    public long BypassedPackets => (long)BypassedFlows * BypassedPacketsPerFlow;

    public long OtherPackets => (long)OtherFlows * OtherPacketsPerFlow;

    public long OfferedPackets => BypassedPackets + OtherPackets;

    public string Describe() =>
        $"{BypassedFlows} flows x {BypassedPacketsPerFlow:N0} pkts bypassed" +
        (OtherFlows > 0 ? $" + {OtherFlows} x {OtherPacketsPerFlow:N0} not" : string.Empty) +
        (PacketsPerSecond > 0 ? $", paced at {PacketsPerSecond / 1000} kpps" : ", max rate") +
        (Vxlan ? $", inside VXLAN {VxlanTunnel.Vni}" : string.Empty);
}
