namespace Capture.Abstractions.Tests;

/// <summary>The declaration of a configuration key: what it says it allows, and its copies.</summary>
public sealed class ConfigKeyTests
{
    [Theory]
    [InlineData(ConfigValueType.Boolean, null, null, "boolean")]
    [InlineData(ConfigValueType.Integer, 1L, 1024L, "integer 1..1024")]
    [InlineData(ConfigValueType.Integer, 1L, (long)int.MaxValue, "integer >= 1")]
    [InlineData(ConfigValueType.Integer, null, 10L, "integer <= 10")]
    [InlineData(ConfigValueType.Size, 65536L, 268435456L, "size 64kb..256mb")]
    [InlineData(ConfigValueType.Size, 1000L, 1L << 30, "size 1000..1gb")]
    [InlineData(ConfigValueType.Number, 0L, 60L, "number 0..60")]
    [InlineData(ConfigValueType.Text, null, null, "text")]
    public void What_is_allowed_is_said_from_the_type_and_range(ConfigValueType type, long? minimum, long? maximum, string expected)
    {
        var key = new ConfigKey("k", type, "a key") { Minimum = minimum, Maximum = maximum };
        Assert.Equal(expected, key.DescribeAllowed());
    }

    [Fact]
    public void Words_and_choices_are_listed()
    {
        Assert.Equal("integer 1..1024 or auto", new ConfigKey("threads", ConfigValueType.Integer, "t") { Minimum = 1, Maximum = 1024, Allowed = ["auto"] }.DescribeAllowed());
        Assert.Equal("one of: soft, driver, hw", ConfigKeys.Choice("xdp-mode", "soft", "m", "soft", "driver", "hw").DescribeAllowed());
        ConfigKey outputs = new("outputs", ConfigValueType.NamedList, "o") { Keys = [ConfigKeys.Mapping("eve-log", "e"), .. ConfigKeys.NotUsed("fast")] };
        Assert.Equal("list of one-key items: eve-log", outputs.DescribeAllowed());
    }

    [Fact]
    public void A_copy_with_another_default_keeps_everything_else()
    {
        ConfigKey original = new("xdp-mode", ConfigValueType.Choice, "where") { Default = "soft", Allowed = ["soft", "hw"], IgnoredWarning = null };
        ConfigKey copy = original.WithDefault("hw", "offloaded");

        Assert.Equal(("xdp-mode", ConfigValueType.Choice, "hw", "offloaded"), (copy.Name, copy.Type, copy.Default, copy.Description));
        Assert.Same(original.Allowed, copy.Allowed);
        Assert.Equal("soft", original.Default);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1000L, "1000")]
    [InlineData(1024L, "1kb")]
    [InlineData(3L << 20, "3mb")]
    [InlineData(1L << 30, "1gb")]
    [InlineData((1L << 20) + 1024, "1025kb")]
    public void Sizes_are_written_as_yaml_writes_them(long bytes, string expected)
    {
        Assert.Equal(expected, ConfigKey.FormatSize(bytes));
    }

    [Fact]
    public void A_plugin_declares_no_section_unless_it_says_so()
    {
        Assert.Empty(((ICapturePlugin)new SilentPlugin()).ConfigurationSections);
    }

    private sealed class SilentPlugin : ICapturePlugin
    {
        public CapturePluginDescriptor Descriptor { get; } = new("silent", new Version(1, 0), CaptureContract.Current, CaptureCapabilities.Offline, "declares nothing");

        public void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services, CapturePluginContext context)
        {
        }
    }
}
