using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.Misbehaving;

/// <summary>Registers no source factory under its name.</summary>
public sealed class NoFactoryPlugin : ICapturePlugin
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new("no-factory", new Version(1, 0), new Version(CaptureContract.Major, CaptureContract.Minor), CaptureCapabilities.Live, "Registers nothing (test plugin)");

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
    }
}
