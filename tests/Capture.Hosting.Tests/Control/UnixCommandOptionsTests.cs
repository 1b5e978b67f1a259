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
}
