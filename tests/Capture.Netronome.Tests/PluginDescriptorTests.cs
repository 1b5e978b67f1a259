using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Netronome.Tests;

public sealed class PluginDescriptorTests
{
    [Fact]
    public void The_plugin_describes_itself_and_registers_its_keyed_factory()
    {
        var plugin = new NetronomeCapturePlugin();
        CapturePluginDescriptor descriptor = plugin.Descriptor;
        Assert.Equal("netronome", descriptor.Name);
        Assert.Equal(CaptureCapabilities.Live | CaptureCapabilities.Bypass | CaptureCapabilities.HardwareOffload, descriptor.Capabilities);
        Assert.Equal(new Version(CaptureContract.Major, CaptureContract.Minor), descriptor.ContractVersion);
        Assert.False(((ICapturePlugin)plugin).AcceptsHost(new Version(CaptureContract.Major + 1, 0), out string? reason));
        Assert.False(string.IsNullOrEmpty(reason));

        var services = new ServiceCollection();
        plugin.ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, ConfigNode.CreateMapping(), NullLoggerFactory.Instance));
        using ServiceProvider provider = services.BuildServiceProvider();
        ICaptureSourceFactory factory = provider.GetRequiredKeyedService<ICaptureSourceFactory>("netronome");
        Assert.Same(descriptor, factory.Descriptor);
        Assert.Null(provider.GetKeyedService<ICaptureSourceFactory>("af-packet"));
    }

    [Fact]
    public void The_plugin_manifest_names_it_and_its_assembly()
    {
        string manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "plugin.json"));
        Assert.Contains("\"netronome\"", manifest, StringComparison.Ordinal);
        Assert.Contains("Capture.Netronome.dll", manifest, StringComparison.Ordinal);
    }
}
