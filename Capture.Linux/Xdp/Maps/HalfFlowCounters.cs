namespace Capture.Linux.Xdp.Maps;

/// <summary>Packets and bytes the kernel counted for one half flow (summed over CPUs).</summary>
/// <param name="Packets">Packets dropped.</param>
/// <param name="Bytes">Bytes dropped (whole L2 frames).</param>
public readonly record struct HalfFlowCounters(long Packets, long Bytes);
