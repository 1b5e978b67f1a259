using Capture.Abstractions;
using Capture.TestPlugin.Dependency;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.WithDependency;

/// <summary>A plugin whose registration needs its private dependency.</summary>
public sealed class WithDependencyPlugin : ICapturePlugin
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new("with-dependency", new Version(1, 0), new Version(CaptureContract.Major, CaptureContract.Minor), CaptureCapabilities.Offline, "Has a private dependency (test plugin)");

    /// <summary>The frame budget read through the dependency at registration.</summary>
    public int Frames { get; private set; }

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Frames = FrameBudget.Read(context.Configuration);
        services.AddCaptureSourceFactory<WithDependencyFactory>("with-dependency");
    }
}
