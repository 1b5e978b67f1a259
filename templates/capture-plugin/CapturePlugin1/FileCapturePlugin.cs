using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CapturePlugin1;

/// <summary>
/// The plugin's entry point. The host creates it (public, parameterless constructor), checks its
/// descriptor against plugin.json and its own contract version, then lets it register its factory.
/// </summary>
public sealed class FileCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name: plugin.json "name", <c>--capture-plugin</c>, and the YAML section read.</summary>
    public const string Name = "file-capture";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = CreateDescriptor();

    /// <inheritdoc />
    public IReadOnlyList<ConfigKey> ConfigurationSections { get; } = [FileCaptureOptions.Section];

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        // Bound once, here, so a bad value fails when the plugin is activated; the factory receives it.
        services.AddSingleton(Options.Create(FileCaptureOptions.FromConfiguration(context.Configuration)));
        services.AddCaptureSourceFactory<FileSourceFactory>(Name);
    }

    /// <summary>The descriptor; the contract version is the SDK's, baked in at compile time.</summary>
    /// <returns>A new descriptor.</returns>
    internal static CapturePluginDescriptor CreateDescriptor() => new(
        Name,
        typeof(FileCapturePlugin).Assembly.GetName().Version!,
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Offline,
        "Reads classic pcap files (libpcap format, microsecond or nanosecond, either byte order)");
}
