namespace Capture.Abstractions;

/// <summary>Opens capture sources of one plugin. Registered keyed by the plugin's capture name.</summary>
public interface ICaptureSourceFactory
{
    /// <summary>The plugin this factory belongs to.</summary>
    CapturePluginDescriptor Descriptor { get; }

    /// <summary>
    /// Creates the sources for a request: one per file, or one per fanout socket of each interface.
    /// Configuration errors throw <see cref="ConfigurationException"/>; capture errors
    /// (missing interface, unreadable file) throw <see cref="CaptureException"/>.
    /// </summary>
    /// <param name="request">What to open.</param>
    /// <returns>The sources, not yet started.</returns>
    IReadOnlyList<ICaptureSource> CreateSources(CaptureSourceRequest request);
}
