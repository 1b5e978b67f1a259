using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Bypass;
using Capture.Linux.Filter;
using Capture.Linux.Ring;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Sources;

/// <summary>
/// Opens the af-packet sources of a request: per interface, <c>threads</c> TPACKET_V3 sockets in
/// one fanout group, sharing one kernel bypass when <c>bypass: yes</c>.
/// </summary>
public sealed class AfPacketSourceFactory : ICaptureSourceFactory
{
    private readonly string _section;
    private readonly InterfaceBypassFactory? _bypassFactory;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>A factory for the plugin <paramref name="descriptor"/> describes, reading its interfaces from <paramref name="section"/>.</summary>
    /// <param name="descriptor">The plugin's descriptor (named in errors).</param>
    /// <param name="section">The YAML section with af-packet's keys (<c>af-packet</c>, or a plugin's own section with the same keys).</param>
    /// <param name="bypassFactory">Builds the kernel bypass of an interface with <c>bypass: yes</c>; null refuses <c>bypass: yes</c>.</param>
    /// <param name="loggerFactory">The host's logging.</param>
    public AfPacketSourceFactory(CapturePluginDescriptor descriptor, string section, InterfaceBypassFactory? bypassFactory, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Descriptor = descriptor;
        _section = section;
        _bypassFactory = bypassFactory;
        _loggerFactory = loggerFactory;
    }

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; }

    /// <inheritdoc />
    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ILoggerFactory loggerFactory = _loggerFactory;
        ILogger logger = loggerFactory.CreateLogger<AfPacketSourceFactory>();
        IReadOnlyList<LiveInterfaceOptions> interfaces = LiveInterfaceConfiguration.Read(
            request.Configuration, _section, string.IsNullOrEmpty(request.Target) ? null : request.Target, warning => FactoryLog.ConfigurationWarning(logger, warning));
        if (interfaces.Count == 0)
        {
            throw new ConfigurationException(
                $"{_section}: no interface to capture on; name one ({Descriptor.Name} target, e.g. --{_section}=eth0) or list '- interface: <name>' entries in the {_section} section");
        }

        var sources = new List<ICaptureSource>();
        var bypasses = new List<IInterfaceBypass>();
        try
        {
            foreach (LiveInterfaceOptions options in interfaces)
            {
                options.VxlanPorts = request.VxlanPorts;
                options.GenevePort = request.GenevePort;
                options.HeaderBypassRules = request.HeaderBypassRules;
                sources.AddRange(CreateInterfaceSources(options, request.Checksums, loggerFactory, logger, bypasses));
            }

            return sources;
        }
        catch
        {
            foreach (IInterfaceBypass bypass in bypasses)
            {
                bypass.Dispose();
            }

            throw;
        }
    }

    private List<ICaptureSource> CreateInterfaceSources(LiveInterfaceOptions options, ChecksumMode checksums, ILoggerFactory loggerFactory, ILogger logger, List<IInterfaceBypass> bypasses)
    {
        int threads = PacketRingLayout.ResolveThreads(options);
        byte[]? filter = null;
        if (options.BpfFilter is { } expression)
        {
            filter = PcapFilterCompiler.Compile(expression, LinkType.Ethernet, options.Interface, options.Location);
        }

        PacketRingOptions settings = PacketRingLayout.Build(options, threads, checksums, filter);
        IInterfaceBypass? bypass = null;
        if (options.Bypass)
        {
            if (_bypassFactory is null)
            {
                throw new ConfigurationException($"{options.Location}: {_section}.{options.Interface}.bypass: kernel bypass is not available in this build");
            }

            bypass = _bypassFactory(options, loggerFactory);
            bypasses.Add(bypass);
        }

        var owner = new AfPacketInterface(options.Interface, threads, bypass);
        ILogger sourceLogger = loggerFactory.CreateLogger<AfPacketSource>();
        var sources = new List<ICaptureSource>(threads);
        for (int i = 0; i < threads; i++)
        {
            string name = threads == 1 ? options.Interface : $"{options.Interface}#{i + 1}";
            sources.Add(new AfPacketSource(name, settings, owner, reportsBypass: i == 0, sourceLogger));
        }

        return sources;
    }
}
