using Capture.Abstractions;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

public sealed class UnixCommandOptionsTests
{
    [Fact]
    public void Absent_section_is_disabled_and_relative_names_go_to_the_run_directory()
    {
        Assert.False(UnixCommandOptions.Read(ConfigNode.CreateMapping()).Enabled);

        ConfigNode root = ConfigNode.CreateMapping();
        ConfigNode section = ConfigNode.CreateMapping("unix-command");
        section.Set("enabled", ConfigNode.CreateScalar("unix-command.enabled", "auto"));
        section.Set("filename", ConfigNode.CreateScalar("unix-command.filename", "custom.socket"));
        root.Set("unix-command", section);
        UnixCommandOptions options = UnixCommandOptions.Read(root);
        Assert.True(options.Enabled);
        Assert.True(options.LiveOnly);
        Assert.Equal("/var/run/suricata/custom.socket", options.FileName);
    }

    [Fact]
    public void Bad_enabled_value_names_the_key()
    {
        ConfigNode root = ConfigNode.CreateMapping();
        ConfigNode section = ConfigNode.CreateMapping("unix-command");
        section.Set("enabled", ConfigNode.CreateScalar("unix-command.enabled", "perhaps", "x.yaml", 3));
        root.Set("unix-command", section);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => UnixCommandOptions.Read(root));
        Assert.Contains("unix-command.enabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connection_limits_default_when_absent_and_are_read_in_seconds()
    {
        ConfigNode root = ConfigNode.CreateMapping();
        ConfigNode section = ConfigNode.CreateMapping("unix-command");
        section.Set("enabled", ConfigNode.CreateScalar("unix-command.enabled", "yes"));
        root.Set("unix-command", section);
        Assert.Equal(ControlConnectionLimits.Default, UnixCommandOptions.Read(root).Limits);

        section.Set("idle-timeout", ConfigNode.CreateScalar("unix-command.idle-timeout", "60"));
        section.Set("message-timeout", ConfigNode.CreateScalar("unix-command.message-timeout", "2"));
        section.Set("max-connections", ConfigNode.CreateScalar("unix-command.max-connections", "4"));
        ControlConnectionLimits limits = UnixCommandOptions.Read(root).Limits;
        Assert.Equal(TimeSpan.FromSeconds(60), limits.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), limits.MessageTimeout);
        Assert.Equal(4, limits.MaxConnections);
    }

    [Theory]
    [InlineData("idle-timeout", "0")]
    [InlineData("message-timeout", "soon")]
    [InlineData("max-connections", "0")]
    public void Bad_limit_names_the_key(string key, string value)
    {
        ConfigNode root = ConfigNode.CreateMapping();
        ConfigNode section = ConfigNode.CreateMapping("unix-command");
        section.Set(key, ConfigNode.CreateScalar($"unix-command.{key}", value, "x.yaml", 4));
        root.Set("unix-command", section);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => UnixCommandOptions.Read(root));
        Assert.Contains($"unix-command.{key}", error.Message, StringComparison.Ordinal);
    }
}
