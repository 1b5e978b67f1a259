using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.Misbehaving;

/// <summary>Throws while registering its services.</summary>
public sealed class ThrowsOnRegisterPlugin : ICapturePlugin
{
    /// <summary>The message of the exception it throws.</summary>
    public const string Failure = "licence file /etc/synthetic.lic not found";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new("throws-on-register", new Version(1, 0), new Version(CaptureContract.Major, CaptureContract.Minor), CaptureCapabilities.Live, "Throws in ConfigureServices (test plugin)");

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context) =>
        throw new InvalidOperationException(Failure);
}
