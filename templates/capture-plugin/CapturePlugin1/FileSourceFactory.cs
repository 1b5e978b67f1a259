using Capture.Abstractions;

namespace CapturePlugin1;

/// <summary>
/// Opens one source for the file the host names (<c>-r file</c>). The YAML section
/// <c>file-capture: { batch-size: N }</c> sets how many packets a batch holds.
/// </summary>
internal sealed class FileSourceFactory : ICaptureSourceFactory
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

        ConfigNode? section = request.Configuration[FileCapturePlugin.Name];
        int batchSize = (int)(section?.GetInt64("batch-size", 64, 1, 4096) ?? 64);
        return [new FileCaptureSource(path, batchSize)];
    }
}
