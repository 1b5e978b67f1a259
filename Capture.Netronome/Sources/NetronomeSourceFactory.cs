using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Sources;
using Capture.Netronome.Bypass;
using Capture.Netronome.Configuration;
using Microsoft.Extensions.Logging;

namespace Capture.Netronome.Sources;

/// <summary>
/// Opens the sources of a <c>netronome</c> request: af-packet's rings and fanout (its source
/// factory, reading the <c>netronome:</c> section), after the offload checks, with the offloaded
/// bypass plugged into each interface with <c>bypass: yes</c>.
/// </summary>
internal sealed class NetronomeSourceFactory : ICaptureSourceFactory
{
    private readonly ILoggerFactory _loggerFactory;

    public NetronomeSourceFactory(CapturePluginDescriptor descriptor, ILoggerFactory loggerFactory)
    {
        Descriptor = descriptor;
        _loggerFactory = loggerFactory;
    }

    public CapturePluginDescriptor Descriptor { get; }

    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string section = NetronomeCapturePlugin.CaptureName;
        ILogger logger = _loggerFactory.CreateLogger("Capture.Netronome");

        // Warnings about the section come once, from the af-packet factory reading it below.
        IReadOnlyList<LiveInterfaceOptions> interfaces = LiveInterfaceConfiguration.Read(
            request.Configuration, section, string.IsNullOrEmpty(request.Target) ? null : request.Target, warn: null);
        var settings = new Dictionary<string, OffloadInterfaceOptions>(StringComparer.Ordinal);
        foreach (LiveInterfaceOptions options in interfaces)
        {
            settings[options.Interface] = OffloadConfiguration.Validate(request.Configuration, section, options);
            if (!options.Bypass)
            {
                NetronomeLog.ConfigurationWarning(logger, $"{options.Location}: {section}.{options.Interface}.bypass: not enabled; capturing without the offloaded bypass filter (set bypass: yes)");
            }
        }

        var rings = new AfPacketSourceFactory(Descriptor, section, (options, factory) =>
            OffloadInterfaceBypass.Start(settings.TryGetValue(options.Interface, out OffloadInterfaceOptions? found) ? found : OffloadConfiguration.Validate(request.Configuration, section, options), factory), _loggerFactory);
        return rings.CreateSources(request);
    }
}
