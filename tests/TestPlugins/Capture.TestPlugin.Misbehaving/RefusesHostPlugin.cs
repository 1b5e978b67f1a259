using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.Misbehaving;

/// <summary>Its side of the handshake refuses every host.</summary>
public sealed class RefusesHostPlugin : ICapturePlugin
{
    /// <summary>The reason it gives.</summary>
    public const string Reason = "needs the inline-verdict extension that this host lacks";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new("refuses-host", new Version(1, 0), new Version(CaptureContract.Major, CaptureContract.Minor), CaptureCapabilities.Live, "Refuses the host (test plugin)");

    /// <inheritdoc />
    public bool AcceptsHost(Version hostContractVersion, out string? reason)
    {
        reason = Reason;
        return false;
    }

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context) =>
        throw new InvalidOperationException("a plugin that refused the host must never register");
}
