using System.Globalization;

namespace Capture.Bypass.Bench;

/// <summary>One flow record: its packets (both directions, user space and capture together) and those the capture dropped.</summary>
internal sealed record EveFlow(int DestinationPort, int SourcePort, long Packets, long BypassedPackets, string? Bypass)
{
    /// <summary>Packets that reached user space after the first (the trigger).</summary>
    public long Leaked => Math.Max(0, Packets - BypassedPackets - 1);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{SourcePort}->{DestinationPort}: {Packets} pkts, {BypassedPackets} bypassed ({Bypass ?? "none"})");
}
