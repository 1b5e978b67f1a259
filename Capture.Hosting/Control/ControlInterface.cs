using Capture.Abstractions;

namespace Capture.Hosting.Control;

/// <summary>A capture interface as the control commands show it (<c>iface-list</c>, <c>iface-stat</c>, <c>iface-bypassed-stat</c>).</summary>
/// <param name="Name">The interface name.</param>
/// <param name="Statistics">Reads the interface's counters, summed over its sources.</param>
/// <param name="BypassEnabled">Whether the interface bypasses flows below user space (appears in <c>iface-bypassed-stat</c>).</param>
/// <param name="InvalidChecksums">Reads the packets with invalid checksums seen on the interface, or null when not counted.</param>
public sealed record ControlInterface(string Name, Func<CaptureStatistics> Statistics, bool BypassEnabled, Func<long>? InvalidChecksums = null);
