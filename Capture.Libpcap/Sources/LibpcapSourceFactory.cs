using System.Globalization;
using Capture.Abstractions;
using Microsoft.Extensions.Logging;

namespace Capture.Libpcap.Sources;

/// <summary>Opens one libpcap source per interface: the request's target, else every interface of the <c>pcap:</c> section.</summary>
internal sealed class LibpcapSourceFactory(ILoggerFactory loggerFactory) : ICaptureSourceFactory
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor => LibpcapCapturePlugin.SharedDescriptor;

    /// <inheritdoc />
    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ILogger logger = loggerFactory.CreateLogger("Capture.Libpcap");
        IReadOnlyList<LibpcapInterfaceOptions> interfaces = LibpcapInterfaceOptions.Read(
            request.Configuration, string.IsNullOrEmpty(request.Target) ? null : request.Target);
        if (interfaces.Count == 0)
        {
            throw new ConfigurationException(
                "pcap: no interface to capture on; name one (--pcap=eth0) or list '- interface: <name>' entries in the pcap section");
        }

        var sources = new List<ICaptureSource>(interfaces.Count);
        foreach (LibpcapInterfaceOptions options in interfaces)
        {
            // A name libpcap does not list fails now, before the host opens its logs.
            _ = LibpcapCaptureSource.FindInterface(options.Interface);
            sources.Add(new LibpcapCaptureSource(options, ReadMtu(options.Interface), request.Checksums, logger));
        }

        return sources;
    }

    private static int? ReadMtu(string name)
    {
        try
        {
            return int.Parse(File.ReadAllText($"/sys/class/net/{name}/mtu").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            // "any" and devices that are not network interfaces have no MTU: capture whole packets.
            return null;
        }
    }
}
