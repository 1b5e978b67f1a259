using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Xdp;

namespace Capture.Netronome.Configuration;

/// <summary>What the offload checks decided for one interface.</summary>
/// <param name="Options">The interface's af-packet-style options.</param>
/// <param name="Mode">Where the filter runs: <c>hw</c> (the default of this plugin), or <c>driver</c>/<c>soft</c> emulation.</param>
/// <param name="Threads">Capture threads (a power of two).</param>
internal sealed record OffloadInterfaceOptions(LiveInterfaceOptions Options, XdpMode Mode, int Threads)
{
    /// <summary>The filter options: shared maps always, capacity two entries per flow.</summary>
    public XdpBypassOptions ToFilterOptions() => new()
    {
        Interface = Options.Interface,
        Mode = Mode,
        PerCpuMaps = false,
        MapCapacity = (int)Math.Min((long)Options.BypassMapSize * 2, XdpBypassOptions.MaxMapCapacity),
        PinnedMaps = Options.PinnedMaps,
        ReplaceExistingProgram = Options.XdpReplace,
        FilterFile = Options.XdpFilterFile,
    };
}
