using Capture.Abstractions;

namespace Capture.Hosting.Control;

/// <summary>A capture interface as the control commands show it (<c>iface-list</c>, <c>iface-stat</c>, <c>iface-bypassed-stat</c>).</summary>
/// <param name="Name">The interface name.</param>
/// <param name="Statistics">Reads the interface's counters, summed over its sources.</param>
/// <param name="BypassEnabled">Whether the interface bypasses flows below user space (appears in <c>iface-bypassed-stat</c>).</param>
/// <param name="InvalidChecksums">Reads the packets with invalid checksums seen on the interface, or null when not counted.</param>
public sealed record ControlInterface(string Name, Func<CaptureStatistics> Statistics, bool BypassEnabled, Func<long>? InvalidChecksums = null)
{
    /// <summary>
    /// One entry per interface of <paramref name="sources"/> (fanout sockets grouped by
    /// <see cref="ICaptureSource.InterfaceName"/>), its counters summed over its sources. Plugins
    /// report an interface-wide bypass strategy's counters on one source only, so the sum is exact.
    /// </summary>
    /// <param name="sources">The capture sources.</param>
    /// <returns>The interfaces, in order of first appearance.</returns>
    public static IReadOnlyList<ControlInterface> FromSources(IReadOnlyList<ICaptureSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var result = new List<ControlInterface>();
        foreach (IGrouping<string, ICaptureSource> group in sources.GroupBy(source => source.InterfaceName, StringComparer.Ordinal))
        {
            ICaptureSource[] members = [.. group];
            result.Add(new ControlInterface(group.Key, () => Sum(members), members.Any(source => source.BypassStrategy is not null)));
        }

        return result;
    }

    private static CaptureStatistics Sum(ICaptureSource[] sources)
    {
        CaptureStatistics total = default;
        foreach (ICaptureSource source in sources)
        {
            CaptureStatistics s = source.GetStatistics();
            BypassStatistics a = total.Bypass;
            BypassStatistics b = s.Bypass;
            total = new CaptureStatistics(
                total.PacketsReceived + s.PacketsReceived,
                total.BytesReceived + s.BytesReceived,
                total.KernelDrops + s.KernelDrops,
                total.Errors + s.Errors,
                total.UnsupportedLinkType + s.UnsupportedLinkType,
                new BypassStatistics(
                    new BypassFamilyStatistics(a.IPv4.Success + b.IPv4.Success, a.IPv4.Failure + b.IPv4.Failure, a.IPv4.EntriesOffloaded + b.IPv4.EntriesOffloaded),
                    new BypassFamilyStatistics(a.IPv6.Success + b.IPv6.Success, a.IPv6.Failure + b.IPv6.Failure, a.IPv6.EntriesOffloaded + b.IPv6.EntriesOffloaded),
                    a.Packets + b.Packets,
                    a.Bytes + b.Bytes))
            {
                InterfaceDrops = total.InterfaceDrops + s.InterfaceDrops,
            };
        }

        return total;
    }
}
