using Capture.Abstractions;
using Capture.Hosting.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Tests.Plugins;

/// <summary>Each way a plugin can fail to load gives one message naming the plugin and the cause.</summary>
public sealed class PluginFailureTests : IDisposable
{
    private const string Misbehaving = "Capture.TestPlugin.Misbehaving";

    private readonly PluginSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Missing_plugin_directory()
    {
        string missing = Path.Combine(_sandbox.Root, "nowhere");
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false, PluginRoots = { missing } };
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new ServiceCollection().AddCapturePlugins(options));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"synthetic\", \"contractVersion\": \"1.0\"}", "synthetic", "field \"assembly\" is missing")]
    [InlineData("{\"assembly\": \"Capture.TestPlugin.dll\", \"contractVersion\": \"1.0\"}", "synthetic", "field \"name\" is missing")]
    [InlineData("{\"name\": \"synthetic\", \"assembly\": \"Capture.TestPlugin.dll\"}", "synthetic", "field \"contractVersion\" is missing")]
    [InlineData("{\"name\": \"synthetic\", \"assembly\": \"Capture.TestPlugin.dll\", \"contractVersion\": \"one\"}", "synthetic", "field \"contractVersion\" is 'one'; expected major.minor")]
    [InlineData("{\"name\": \"synthetic\", \"assembly\": 42, \"contractVersion\": \"1.0\"}", "synthetic", "field \"assembly\" must be a non-empty string")]
    [InlineData("{\"name\": \"synthetic\", \"assembly\": \"../evil.dll\", \"contractVersion\": \"1.0\"}", "synthetic", "field \"assembly\" is '../evil.dll'")]
    [InlineData("{\"name\": \"synthetic\", ", "synthetic", "plugin.json is not valid JSON")]
    public void Bad_manifest_names_the_field(string manifest, string plugin, string cause)
    {
        // Before the name is known, the directory name stands for the plugin.
        string directory = _sandbox.Add("synthetic");
        PluginSandbox.WriteManifest(directory, manifest);
        PluginAssert.Fails(_sandbox.Root, plugin, cause, directory);
    }

    [Fact]
    public void Entry_assembly_missing()
    {
        string directory = _sandbox.Add("synthetic");
        File.Delete(Path.Combine(directory, "Capture.TestPlugin.dll"));
        PluginAssert.Fails(_sandbox.Root, "synthetic", "entry assembly Capture.TestPlugin.dll", "not found");
    }

    [Fact]
    public void Missing_dependency_is_named()
    {
        string directory = _sandbox.Add("with-dependency");
        File.Delete(Path.Combine(directory, "Capture.TestPlugin.Dependency.dll"));
        CapturePluginException error = PluginAssert.Fails(_sandbox.Root, "with-dependency", "missing dependency Capture.TestPlugin.Dependency");
        Assert.Equal(directory, error.Directory);
    }

    [Fact]
    public void Plugin_built_against_a_newer_contract_is_refused_by_its_manifest()
    {
        _sandbox.Add("future-contract");
        PluginAssert.Fails(_sandbox.Root, "future-contract", "plugin.json declares contract 2.0", $"contract major version differs: host offers {CaptureContract.Current}, plugin was built against 2.0");
    }

    [Fact]
    public void Plugin_built_against_a_newer_contract_is_refused_by_its_sdk_reference_even_when_the_manifest_lies()
    {
        string directory = _sandbox.Add("future-contract");
        PluginSandbox.WriteManifest(directory, "{\"name\": \"future-contract\", \"assembly\": \"Capture.TestPlugin.FutureContract.dll\", \"contractVersion\": \"1.0\"}");
        PluginAssert.Fails(_sandbox.Root, "future-contract", "built against Capture.Abstractions 2.0.0.0", $"host offers {CaptureContract.Current}");
    }

    [Fact]
    public void Plugin_declaring_an_older_major_contract_is_refused()
    {
        string directory = _sandbox.Add("misbehaving", "old");
        PluginSandbox.WriteManifest(directory, Manifest("old-contract", "0.9", "OldContractPlugin"));
        PluginAssert.Fails(_sandbox.Root, "old-contract", "plugin.json declares contract 0.9", "major version differs");
    }

    [Fact]
    public void Plugin_whose_descriptor_declares_another_contract_than_its_manifest_is_refused()
    {
        string directory = _sandbox.Add("misbehaving", "old");
        PluginSandbox.WriteManifest(directory, Manifest("old-contract", "1.0", "OldContractPlugin"));
        PluginAssert.Fails(_sandbox.Root, "old-contract", "its descriptor declares contract 0.9", "major version differs");
    }

    [Fact]
    public void Plugin_that_refuses_the_host_says_why()
    {
        string directory = _sandbox.Add("misbehaving", "refuses");
        PluginSandbox.WriteManifest(directory, Manifest("refuses-host", "1.0", "RefusesHostPlugin"));
        PluginAssert.Fails(_sandbox.Root, "refuses-host", $"refuses host contract {CaptureContract.Current}", "needs the inline-verdict extension that this host lacks");
    }

    [Fact]
    public void Plugin_throwing_while_registering_is_wrapped()
    {
        string directory = _sandbox.Add("misbehaving", "throws");
        PluginSandbox.WriteManifest(directory, Manifest("throws-on-register", "1.0", "ThrowsOnRegisterPlugin"));
        CapturePluginException error = PluginAssert.Fails(_sandbox.Root, "throws-on-register", "threw while registering its services", "licence file /etc/synthetic.lic not found");
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public void Plugin_registering_no_factory_is_refused()
    {
        string directory = _sandbox.Add("misbehaving", "nofactory");
        PluginSandbox.WriteManifest(directory, Manifest("no-factory", "1.0", "NoFactoryPlugin"));
        PluginAssert.Fails(_sandbox.Root, "no-factory", "registered no ICaptureSourceFactory keyed 'no-factory'");
    }

    [Fact]
    public void Several_plugin_classes_without_an_entry_type()
    {
        string directory = _sandbox.Add("misbehaving", "many");
        PluginSandbox.WriteManifest(directory, "{\"name\": \"many\", \"assembly\": \"Capture.TestPlugin.Misbehaving.dll\", \"contractVersion\": \"1.0\"}");
        PluginAssert.Fails(_sandbox.Root, "many", "contains 4 ICapturePlugin classes", "entryType");
    }

    [Fact]
    public void Assembly_without_a_plugin_class()
    {
        string directory = _sandbox.Add("with-dependency");
        PluginSandbox.WriteManifest(directory, "{\"name\": \"with-dependency\", \"assembly\": \"Capture.TestPlugin.Dependency.dll\", \"contractVersion\": \"1.0\"}");
        PluginAssert.Fails(_sandbox.Root, "with-dependency", "contains no class implementing Capture.Abstractions.ICapturePlugin");
    }

    [Fact]
    public void Entry_type_that_does_not_exist()
    {
        string directory = _sandbox.Add("misbehaving", "ghost");
        PluginSandbox.WriteManifest(directory, Manifest("ghost", "1.0", "GhostPlugin"));
        PluginAssert.Fails(_sandbox.Root, "ghost", "entry type Capture.TestPlugin.Misbehaving.GhostPlugin", "not found");
    }

    [Fact]
    public void Descriptor_name_must_match_the_manifest()
    {
        string directory = _sandbox.Add("synthetic");
        PluginSandbox.WriteManifest(directory, "{\"name\": \"renamed\", \"assembly\": \"Capture.TestPlugin.dll\", \"contractVersion\": \"1.0\"}");
        PluginAssert.Fails(_sandbox.Root, "renamed", "descriptor names it 'synthetic' but plugin.json says 'renamed'");
    }

    [Fact]
    public void Plugin_shipping_its_own_sdk_is_refused()
    {
        string directory = _sandbox.Add("synthetic");
        File.Copy(typeof(ICapturePlugin).Assembly.Location, Path.Combine(directory, "Capture.Abstractions.dll"));
        PluginAssert.Fails(_sandbox.Root, "synthetic", "ships its own copy of the SDK (Capture.Abstractions.dll)");
    }

    [Fact]
    public void Same_plugin_twice_with_the_same_version_is_an_error()
    {
        string first = _sandbox.Add("synthetic", "a");
        string second = _sandbox.Add("synthetic", "b");
        PluginAssert.Fails(_sandbox.Root, "synthetic", "is in 2 plugin directories", first, second);
    }

    private static string Manifest(string name, string contract, string entryType) =>
        $"{{\"name\": \"{name}\", \"assembly\": \"{Misbehaving}.dll\", \"contractVersion\": \"{contract}\", \"entryType\": \"{Misbehaving}.{entryType}\"}}";
}
