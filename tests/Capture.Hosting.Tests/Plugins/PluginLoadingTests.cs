using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Tests.Plugins;

public sealed class PluginLoadingTests : IDisposable
{
    private readonly PluginSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Working_plugin_is_loaded_from_its_directory_and_captures_every_frame()
    {
        string directory = _sandbox.Add("synthetic");
        ConfigNode config = SuricataYaml.Parse("synthetic:\n  frames: 1000\n  batch-size: 64\n", "test.yaml");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, Configuration = config };
        options.PluginRoots.Add(_sandbox.Root);
        var services = new ServiceCollection();
        services.AddCapturePlugins(options);
        await using ServiceProvider provider = services.BuildServiceProvider();

        CapturePluginCatalog catalog = provider.GetRequiredService<CapturePluginCatalog>();
        LoadedCapturePlugin plugin = Assert.Single(catalog.Plugins);
        Assert.Equal("synthetic", plugin.Name);
        Assert.Equal(directory, plugin.Directory);
        Assert.Equal(new Version(1, 2, 0, 0), plugin.Descriptor.PluginVersion);

        ICaptureSourceFactory factory = catalog.GetSourceFactory(provider, "synthetic");
        ICaptureSource source = Assert.Single(factory.CreateSources(new CaptureSourceRequest { Configuration = config, Services = provider }));
        await using (source)
        {
            await source.StartAsync(CancellationToken.None);
            long frames = 0;
            int batches = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (CaptureBatch batch in source.Batches.ReadAllAsync(timeout.Token))
            {
                batches++;
                foreach (ref readonly PacketRecord packet in batch.Packets)
                {
                    ReadOnlySpan<byte> data = batch.GetPacketData(packet);
                    Assert.Equal(LinkType.Ethernet, packet.LinkType);
                    Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(data[12..]));
                    Assert.Equal(17, data[14 + 9]);
                    Assert.Equal(frames, BinaryPrimitives.ReadInt64BigEndian(data[42..]));
                    frames++;
                }

                batch.Release();
            }

            Assert.Equal(1000, frames);
            Assert.Equal(16, batches);
            Assert.Equal(1000, source.GetStatistics().PacketsReceived);
        }
    }

    [Fact]
    public void Plugin_types_are_the_host_types_and_the_plugin_has_its_own_load_context()
    {
        _sandbox.Add("synthetic");
        var loader = new CapturePluginLoader(new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { _sandbox.Root } });
        LoadedCapturePlugin plugin = Assert.Single(loader.Load());

        Type pluginInterface = plugin.Plugin.GetType().GetInterface(typeof(ICapturePlugin).FullName!)!;
        Assert.Same(typeof(ICapturePlugin), pluginInterface);
        Assert.Same(typeof(ICapturePlugin).Assembly, pluginInterface.Assembly);
        AssemblyLoadContext? context = AssemblyLoadContext.GetLoadContext(plugin.Assembly);
        Assert.NotNull(context);
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.Equal("Capture.TestPlugin", context.Name);
        Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == "Capture.Abstractions");
    }

    [Fact]
    public void Native_library_is_resolved_from_the_plugin_folder()
    {
        string directory = _sandbox.Add("synthetic");
        string zlib = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("this test needs the system zlib (libz.so.1) to copy into the plugin folder; install zlib1g");
        string native = Path.Combine(directory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        Directory.CreateDirectory(native);
        string copied = Path.Combine(native, "libsynthz.so");
        File.Copy(zlib, copied);

        var loader = new CapturePluginLoader(new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { _sandbox.Root } });
        LoadedCapturePlugin plugin = Assert.Single(loader.Load());
        var version = (string)plugin.Assembly.GetType("Capture.TestPlugin.NativeProbe", throwOnError: true)!
            .GetMethod("LibraryVersion")!.Invoke(null, null)!;

        Assert.StartsWith("1.", version, StringComparison.Ordinal);
        Assert.Contains(copied, File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
    }

    [Fact]
    public void Plugin_with_a_private_dependency_loads_it_from_its_own_folder()
    {
        _sandbox.Add("with-dependency");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, Configuration = SuricataYaml.Parse("with-dependency: { frames: 7 }", "dep.yaml") };
        options.PluginRoots.Add(_sandbox.Root);
        var loader = new CapturePluginLoader(options);
        LoadedCapturePlugin plugin = Assert.Single(loader.Load());
        loader.Register(new ServiceCollection(), [plugin]);

        Assert.Equal(7, (int)plugin.Plugin.GetType().GetProperty("Frames")!.GetValue(plugin.Plugin)!);
        Assert.Contains(AssemblyLoadContext.GetLoadContext(plugin.Assembly)!.Assemblies, a => a.GetName().Name == "Capture.TestPlugin.Dependency");
    }

    [Fact]
    public void A_plugin_directory_given_directly_is_loaded()
    {
        string directory = _sandbox.Add("synthetic");
        var loader = new CapturePluginLoader(new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { directory } });
        Assert.Equal("synthetic", Assert.Single(loader.Load()).Name);
    }

    [Fact]
    public void Unknown_capture_name_lists_the_loaded_plugins_and_where_they_came_from()
    {
        _sandbox.Add("synthetic");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false };
        options.PluginRoots.Add(_sandbox.Root);
        var services = new ServiceCollection();
        services.AddCapturePlugins(options);
        using ServiceProvider provider = services.BuildServiceProvider();

        CapturePluginException error = Assert.Throws<CapturePluginException>(() => provider.GetRequiredService<CapturePluginCatalog>().GetSourceFactory(provider, "af-packet"));
        Assert.Contains("capture plugin 'af-packet' is not available; loaded plugins: synthetic", error.Message, StringComparison.Ordinal);
        Assert.Contains(_sandbox.Root, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_load_required_only_other_plugins_are_checked_and_listed_but_their_code_is_not_loaded()
    {
        _sandbox.Add("synthetic");
        // Its entry assembly is no assembly at all: loading it would fail and be recorded.
        string unused = _sandbox.Add("with-dependency");
        File.WriteAllText(Path.Combine(unused, "Capture.TestPlugin.WithDependency.dll"), "not an assembly");
        var loader = new CapturePluginLoader(new CapturePluginLoadOptions
        {
            IncludeDefaultRoot = false,
            PluginRoots = { _sandbox.Root },
            RequiredPlugins = ["synthetic"],
            LoadRequiredOnly = true,
        });

        IReadOnlyList<LoadedCapturePlugin> loaded = loader.Load();
        CapturePluginCatalog catalog = loader.Register(new ServiceCollection(), loaded);

        Assert.Equal("synthetic", Assert.Single(loaded).Name);
        Assert.Equal(["with-dependency"], catalog.NotLoaded);
        Assert.Empty(catalog.Failures);
        Assert.Contains("present, not loaded: with-dependency", catalog.DescribeMissing("dpdk"), StringComparison.Ordinal);
    }

    [Fact]
    public void Collectible_plugin_context_unloads_when_released()
    {
        _sandbox.Add("synthetic");
        WeakReference context = LoadAndForget(_sandbox.Root);
        for (int i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "the collectible plugin context is still referenced after unload");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndForget(string root)
    {
        var loader = new CapturePluginLoader(new CapturePluginLoadOptions { IncludeDefaultRoot = false, Collectible = true, PluginRoots = { root } });
        LoadedCapturePlugin plugin = Assert.Single(loader.Load());
        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(plugin.Assembly)!;
        Assert.True(context.IsCollectible);
        context.Unload();
        return new WeakReference(context);
    }
}
