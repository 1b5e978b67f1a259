using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Detect.Sample.Hosting;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Tests;

public sealed class DetectConfigurationTests
{
    private static HostConfiguration Bind(string yaml) =>
        HostConfiguration.Bind(SuricataYaml.Parse(yaml, "detect.yaml"), NullLogger.Instance, DetectSections.All);

    [Fact]
    public void Eve_settings_follow_the_eve_log_output()
    {
        HostConfiguration configuration = Bind("""
            outputs:
              - eve-log:
                  enabled: yes
                  community-id: true
                  community-id-seed: 7
                  ethernet: yes
                  types:
                    - flow
            """);
        EveWriterOptions eve = DetectRun.ToEveWriterOptions(configuration);
        Assert.True(eve.Flow);
        Assert.False(eve.Alert);
        Assert.False(eve.Stats);
        Assert.True(eve.CommunityId);
        Assert.Equal(7, eve.CommunityIdSeed);
        Assert.True(eve.Ethernet);
    }

    [Fact]
    public void Shipped_configuration_binds_without_warnings()
    {
        string path = Path.Combine(Capture.Tests.Shared.SharedPcaps.RepositoryRoot, "Detect.Sample", "detect.yaml");
        HostConfiguration configuration = HostConfiguration.Bind(SuricataYaml.Load(path), NullLogger.Instance, DetectSections.All);
        Assert.Empty(configuration.Warnings);
        Assert.True(configuration.Stream.Bypass);
        Assert.Equal(64 * 1024, configuration.Stream.ReassemblyDepth);
        Assert.Equal(TlsEncryptionHandling.Bypass, configuration.TlsEncryptionHandling);
        (Dictionary<string, string> addresses, Dictionary<string, string> ports) = DetectRun.ReadVariables(configuration.Root);
        Assert.Equal("!$HOME_NET", addresses["EXTERNAL_NET"]);
        Assert.Equal("[80,8000:8100]", ports["HTTP_PORTS"]);
    }

    [Fact]
    public void Variables_that_are_not_values_name_file_line_and_key()
    {
        HostConfiguration configuration = Bind("""
            vars:
              address-groups:
                HOME_NET:
                  - 10.0.0.0/8
            """);
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => DetectRun.ReadVariables(configuration.Root));
        Assert.StartsWith("detect.yaml:3: vars.address-groups.HOME_NET:", error.Message, StringComparison.Ordinal);
    }
}
