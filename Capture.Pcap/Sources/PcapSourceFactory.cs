using Capture.Abstractions;
using Capture.Pcap.Bypass;
using Capture.Pcap.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capture.Pcap.Sources;

/// <summary>Opens one source per request: a capture file, or a directory of them read as one.</summary>
internal sealed class PcapSourceFactory(IOptions<PcapFileOptions> options, ILoggerFactory loggerFactory) : ICaptureSourceFactory
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor => PcapCapturePlugin.SharedDescriptor;

    /// <inheritdoc />
    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string target = request.Target
            ?? throw new CaptureException("pcap: no capture file or directory given (-r <file-or-directory>)");
        bool isDirectory = Directory.Exists(target);
        if (!isDirectory && !File.Exists(target))
        {
            throw new CaptureException($"{target}: no such capture file or directory");
        }

        if (!isDirectory && new FileInfo(target).Length > 0)
        {
            // A file that is not a capture is refused before the host opens its logs; a pipe
            // (length 0) is read as it comes, and its header checked then.
            using CaptureFileReader probe = CaptureFileReader.Open(target, 4096, beforeBlockingRead: null);
        }

        return [new PcapCaptureSource(target, isDirectory, options.Value, request.Checksums, loggerFactory.CreateLogger("Capture.Pcap"), tunnels: new TunnelPorts(request.VxlanPorts, request.GenevePort))];
    }
}
