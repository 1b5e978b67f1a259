namespace Capture.Abstractions;

/// <summary>An inclusive range of TCP/UDP ports (one port: <paramref name="Low"/> = <paramref name="High"/>).</summary>
/// <param name="Low">The first port.</param>
/// <param name="High">The last port.</param>
public readonly record struct PortRange(ushort Low, ushort High);
