using Capture.Abstractions;
using Microsoft.Extensions.Options;

namespace CapturePlugin1;

/// <summary>
/// Opens one source for the file the host names (<c>-r file</c>). The YAML section
/// <c>file-capture: { batch-size: N }</c> (<see cref="FileCaptureOptions"/>) sets how many packets a batch holds.
/// </summary>
internal sealed class FileSourceFactory(IOptions<FileCaptureOptions> options) : ICaptureSourceFactory
{
    public CapturePluginDescriptor Descriptor { get; } = FileCapturePlugin.CreateDescriptor();

    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? path = request.Target;
        if (string.IsNullOrEmpty(path))
        {
            throw new CaptureException($"{FileCapturePlugin.Name}: no capture file given; name one with -r <file>");
        }

        if (Directory.Exists(path))
        {
            throw new CaptureException($"{FileCapturePlugin.Name}: {path} is a directory; this plugin reads one file");
        }

        return [new FileCaptureSource(path, options.Value.BatchSize)];
    }
}
