namespace Capture.Abstractions;

/// <summary>Counters of one capture source (cumulative).</summary>
/// <param name="PacketsReceived">Packets delivered to user space.</param>
/// <param name="BytesReceived">Bytes delivered to user space (original lengths).</param>
/// <param name="KernelDrops">Packets the kernel or capture dropped for lack of room (libpcap's <c>ps_drop</c>).</param>
/// <param name="Errors">Capture errors (corrupt records, failed polls, ...).</param>
/// <param name="UnsupportedLinkType">Packets skipped because their link type is not decoded.</param>
/// <param name="Bypass">The bypass strategy's counters (zero without one).</param>
public readonly record struct CaptureStatistics(
    long PacketsReceived,
    long BytesReceived,
    long KernelDrops,
    long Errors,
    long UnsupportedLinkType,
    BypassStatistics Bypass)
{
    /// <summary>
    /// Packets the interface or its driver dropped before the capture could see them (libpcap's
    /// <c>ps_ifdrop</c>; Suricata's <c>capture.kernel_ifdrops</c>). Not part of <see cref="KernelDrops"/>;
    /// zero where the capture cannot tell.
    /// </summary>
    public long InterfaceDrops { get; init; }
}
