using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CapturePlugin1.Tests;

/// <summary>The plugin's section: declared for the host, bound once at registration, checked when bound.</summary>
public sealed class FileCaptureOptionsTests
{
    [Fact]
    public void The_plugin_declares_its_section_with_the_keys_it_reads()
    {
        ConfigKey section = Assert.Single(((ICapturePlugin)new FileCapturePlugin()).ConfigurationSections);

        Assert.Equal(FileCapturePlugin.Name, section.Name);
        ConfigKey batchSize = Assert.Single(section.Keys);
        Assert.Equal(("batch-size", ConfigValueType.Integer, "64", 1L, 4096L), (batchSize.Name, batchSize.Type, batchSize.Default, batchSize.Minimum, batchSize.Maximum));
    }

    [Fact]
    public void The_section_reaches_the_factory_as_options()
    {
        (ServiceProvider services, _) = PluginHarness.Load(Configuration("batch-size", "8"));
        using (services)
        {
            Assert.Equal(8, services.GetRequiredService<IOptions<FileCaptureOptions>>().Value.BatchSize);
        }
    }

    [Fact]
    public void A_bad_value_fails_at_registration_naming_the_key_and_the_range()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => PluginHarness.Load(Configuration("batch-size", "0")));

        Assert.Contains($"{FileCapturePlugin.Name}.batch-size", error.Message, StringComparison.Ordinal);
        Assert.Contains("1..4096", error.Message, StringComparison.Ordinal);
    }

    private static ConfigNode Configuration(string key, string value)
    {
        ConfigNode root = ConfigNode.CreateMapping(string.Empty, "test.yaml", 1);
        ConfigNode section = ConfigNode.CreateMapping(FileCapturePlugin.Name, "test.yaml", 1);
        section.Set(key, ConfigNode.CreateScalar($"{FileCapturePlugin.Name}.{key}", value, "test.yaml", 2));
        root.Set(FileCapturePlugin.Name, section);
        return root;
    }
}
