using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.Misbehaving;

/// <summary>Its descriptor declares contract 0.9, older than any host.</summary>
public sealed class OldContractPlugin : ICapturePlugin
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new("old-contract", new Version(1, 0), new Version(0, 9), CaptureCapabilities.Offline, "Declares contract 0.9 (test plugin)");

    /// <inheritdoc />
    public bool AcceptsHost(Version hostContractVersion, out string? reason)
    {
        reason = null;
        return true;
    }

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context) =>
        throw new InvalidOperationException("a plugin with an incompatible descriptor must never register");
}
