using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Plugins;
using Capture.Pcap;
using Capture.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Tests.Plugins;

/// <summary>
/// Plugins compiled into the host (the host compiled ahead of time carries the shipped four): they
/// load without a plugin directory, share one name space with the directories' plugins, and a host
/// that cannot load assemblies refuses a directory's plugin by name.
/// </summary>
public sealed class BuiltInPluginTests : IDisposable
{
    private readonly PluginSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Built_in_plugin_registers_and_reads_a_capture_without_any_plugin_directory()
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, LoadsAssemblies = false, BuiltInPlugins = { new PcapCapturePlugin() } };
        var services = new ServiceCollection();
        services.AddCapturePlugins(options);
        await using ServiceProvider provider = services.BuildServiceProvider();

        CapturePluginCatalog catalog = provider.GetRequiredService<CapturePluginCatalog>();
        LoadedCapturePlugin plugin = Assert.Single(catalog.Plugins);
        Assert.Equal("pcap-file", plugin.Name);
        Assert.Equal(AppContext.BaseDirectory, plugin.Directory);
        Assert.Equal(new CapturePluginManifest("pcap-file", "Capture.Pcap.dll", plugin.Descriptor.ContractVersion, typeof(PcapCapturePlugin).FullName), plugin.Manifest);
        Assert.Empty(catalog.SearchedRoots);

        ICaptureSourceFactory factory = catalog.GetSourceFactory(provider, "pcap-file");
        string sample = Path.Combine(SharedPcaps.RepositoryRoot, "samples", "sample.pcap");
        ICaptureSource source = Assert.Single(factory.CreateSources(new CaptureSourceRequest { Target = sample, Configuration = ConfigNode.CreateMapping(), Services = provider }));
        await using (source)
        {
            await source.StartAsync(CancellationToken.None);
            long packets = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (CaptureBatch batch in source.Batches.ReadAllAsync(timeout.Token))
            {
                packets += batch.Packets.Length;
                batch.Release();
            }

            Assert.Equal(2264, packets);
        }
    }

    [Fact]
    public void Plugin_directory_with_a_built_in_plugins_name_is_refused_as_a_duplicate()
    {
        string directory = _sandbox.Add("synthetic", "pcap-file");
        PluginSandbox.WriteManifest(directory, """{"name": "pcap-file", "assembly": "Capture.TestPlugin.dll", "contractVersion": "1.1"}""");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, BuiltInPlugins = { new PcapCapturePlugin() }, PluginRoots = { _sandbox.Root } };

        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new ServiceCollection().AddCapturePlugins(options));
        Assert.Equal(
            $"capture plugin 'pcap-file': is in 2 places, the host (built in) and {directory}; a plugin name must be unique across the host's built-in plugins and the plugin roots. Remove all but one",
            error.Message);
    }

    [Fact]
    public void Host_that_cannot_load_assemblies_refuses_a_directory_plugin_naming_its_built_in_ones()
    {
        string directory = _sandbox.Add("synthetic");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, LoadsAssemblies = false, BuiltInPlugins = { new PcapCapturePlugin() }, PluginRoots = { _sandbox.Root } };

        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new ServiceCollection().AddCapturePlugins(options));
        Assert.Equal("synthetic", error.PluginName);
        Assert.Equal(
            $"capture plugin 'synthetic' ({directory}): this host is compiled ahead of time and cannot load plugin assemblies; its built-in capture plugins are pcap-file. Use a build of the host that loads plugins (Just-In-Time compiled) for this one",
            error.Message);
    }

    [Fact]
    public void Only_the_required_plugins_are_loaded_whether_built_in_or_in_a_directory()
    {
        _sandbox.Add("synthetic");
        var options = new CapturePluginLoadOptions
        {
            IncludeDefaultRoot = false,
            LoadsAssemblies = false,
            BuiltInPlugins = { new PcapCapturePlugin() },
            PluginRoots = { _sandbox.Root },
            RequiredPlugins = ["pcap-file"],
            LoadRequiredOnly = true,
        };
        var loader = new CapturePluginLoader(options);
        Assert.Equal("pcap-file", Assert.Single(loader.Load()).Name);

        options.RequiredPlugins = ["synthetic"];
        loader = new CapturePluginLoader(options);
        CapturePluginException error = Assert.Throws<CapturePluginException>(loader.Load);
        Assert.Contains("cannot load plugin assemblies", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_built_in_plugins_of_one_name_are_refused()
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, BuiltInPlugins = { new PcapCapturePlugin(), new PcapCapturePlugin() } };
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new CapturePluginLoader(options).Load());
        Assert.Contains("'pcap-file': is in 2 places, the host (built in) and the host (built in)", error.Message, StringComparison.Ordinal);
    }
}
