namespace Detect.Sample.Tests.Host;

/// <summary>A plugin's section as the shipped host treats it: checked against the plugin's declaration, refused with the key and what is allowed.</summary>
public sealed class PluginConfigurationHostTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("plugin-config-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_mode_the_pcap_plugin_lacks_is_a_configuration_error_naming_the_key()
    {
        HostResult result = Run("pcap-file:\n  continuous: yes\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("configuration error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(":2: pcap-file.continuous: 'continuous: yes' is not supported", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_out_of_the_declared_range_names_the_range_as_declared()
    {
        HostResult result = Run("pcap-file:\n  buffer-size: 1kb\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(":2: pcap-file.buffer-size: 1kb is out of range; expected a size 64kb..256mb", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plugins_own_keys_run_without_a_warning()
    {
        HostResult result = Run("pcap-file:\n  bypass-table-size: 100\n  buffer-size: 128kb\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("pcap-file", result.Error, StringComparison.Ordinal);
    }

    private HostResult Run(string yaml)
    {
        string path = Path.Combine(_work.FullName, "detect.yaml");
        File.WriteAllText(path, yaml + "rule-files: []\n");
        return DetectHostProcess.Run("-c", path, "-l", Path.Combine(_work.FullName, "logs"), "-r", DetectHostProcess.SamplePcap);
    }
}
