using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Netronome.Tests;

/// <summary>Loads the plugin the way the host does (descriptor check, services, keyed factory) and opens sources.</summary>
internal sealed class PluginHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public PluginHarness(ConfigNode configuration)
    {
        Configuration = configuration;
        Plugin = new NetronomeCapturePlugin();
        Assert.True(((ICapturePlugin)Plugin).AcceptsHost(CaptureContract.Current, out string? reason), reason);
        var services = new ServiceCollection();
        Plugin.ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, configuration, NullLoggerFactory.Instance));
        _services = services.BuildServiceProvider();
        Factory = _services.GetRequiredKeyedService<ICaptureSourceFactory>(NetronomeCapturePlugin.CaptureName);
    }

    public NetronomeCapturePlugin Plugin { get; }

    public ConfigNode Configuration { get; }

    public ICaptureSourceFactory Factory { get; }

    public IReadOnlyList<ICaptureSource> CreateSources(string? target = null) =>
        Factory.CreateSources(new CaptureSourceRequest { Target = target, Configuration = Configuration, Services = _services });

    public void Dispose() => _services.Dispose();
}
