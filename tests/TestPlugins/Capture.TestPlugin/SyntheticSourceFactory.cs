using Capture.Abstractions;

namespace Capture.TestPlugin;

/// <summary>Opens one synthetic source; <c>synthetic: { frames: N, batch-size: M }</c> sets the sequence.</summary>
internal sealed class SyntheticSourceFactory : ICaptureSourceFactory
{
    public CapturePluginDescriptor Descriptor { get; } = new SyntheticCapturePlugin().Descriptor;

    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ConfigNode? section = request.Configuration[SyntheticCapturePlugin.Name];
        int frames = (int)(section?.GetInt64("frames", 1000, 0, 10_000_000) ?? 1000);
        int batchSize = (int)(section?.GetInt64("batch-size", 32, 1, 4096) ?? 32);
        return [new SyntheticCaptureSource(request.Target ?? "synth0", frames, batchSize)];
    }
}
