using Capture.Abstractions;

namespace Capture.TestPlugin.WithDependency;

/// <summary>Opens nothing: this plugin exists to be loaded, not to capture.</summary>
internal sealed class WithDependencyFactory : ICaptureSourceFactory
{
    public CapturePluginDescriptor Descriptor { get; } = new WithDependencyPlugin().Descriptor;

    public IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request) => [];
}
