using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin;

/// <summary>Entry point: a live-like capture that synthesises frames.</summary>
public sealed class SyntheticCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name.</summary>
    public const string Name = "synthetic";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new(
        Name,
        typeof(SyntheticCapturePlugin).Assembly.GetName().Version!,
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Live,
        "Synthesised Ethernet/IPv4/UDP frames (test plugin)");

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context) =>
        services.AddCaptureSourceFactory<SyntheticSourceFactory>(Name);
}
