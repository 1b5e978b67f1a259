namespace Capture.Linux.Xdp.Maps;

/// <summary>Packets and bytes the kernel counted for one half flow (summed over CPUs), and when it dropped the first.</summary>
/// <param name="Packets">Packets dropped.</param>
/// <param name="Bytes">Bytes dropped (whole L2 frames).</param>
/// <param name="FirstDropNanoseconds">CLOCK_MONOTONIC time of the first packet dropped (the earliest over CPUs); 0 before any, and always with the NIC filter (no kernel clock there).</param>
/// <param name="RuleSid">The sid of the kernel bypass rule whose match made the entry (the XDP filter inserted it); 0 when user space did.</param>
public readonly record struct HalfFlowCounters(long Packets, long Bytes, long FirstDropNanoseconds, long RuleSid = 0);
