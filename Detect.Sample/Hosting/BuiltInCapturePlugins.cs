using Capture.Abstractions;
#if BUILT_IN_CAPTURE_PLUGINS
using Capture.AfPacket;
using Capture.Libpcap;
using Capture.Netronome;
using Capture.Pcap;
#endif

namespace Detect.Sample.Hosting;

/// <summary>
/// The capture plugins compiled into the host. The host compiled ahead of time
/// (<c>scripts/publish-aot.sh</c>) cannot load assemblies, so it carries the four shipped plugins
/// and loads none from disk; the Just-In-Time compiled build carries none and loads them from
/// <c>plugins/</c>, as it does third parties'.
/// </summary>
internal static class BuiltInCapturePlugins
{
#if BUILT_IN_CAPTURE_PLUGINS
    /// <summary>Whether this build is the one compiled ahead of time.</summary>
    public const bool AheadOfTime = true;

    /// <summary>New instances of the built-in plugins.</summary>
    public static ICapturePlugin[] Create() =>
        [new PcapCapturePlugin(), new LibpcapCapturePlugin(), new AfPacketCapturePlugin(), new NetronomeCapturePlugin()];
#else
    /// <summary>Whether this build is the one compiled ahead of time.</summary>
    public const bool AheadOfTime = false;

    /// <summary>New instances of the built-in plugins: none in this build.</summary>
    public static ICapturePlugin[] Create() => [];
#endif
}
