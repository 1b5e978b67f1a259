using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Hosting.Configuration;

namespace Capture.Hosting.Tests.Configuration;

public sealed class ConfigOverridesTests
{
    private const string Yaml = """
        flow:
          hash-size: 65536
        af-packet:
          - interface: eth0
            threads: 2
          - interface: default
            cluster-type: cluster_flow
        """;

    [Fact]
    public void Set_overrides_a_yaml_key_and_marks_it_as_from_the_command_line()
    {
        ConfigNode root = SuricataYaml.Parse(Yaml, "s.yaml");
        ConfigOverrides.Apply(root, ["stats.interval=4", "flow.hash-size=131072"]);

        ConfigNode hashSize = root.Find("flow.hash-size")!;
        Assert.Equal("131072", hashSize.Value);
        Assert.Equal("--set", hashSize.File);
        Assert.Equal(2, hashSize.Line);
        Assert.Equal("4", root.Find("stats.interval")!.Value);
        Assert.Equal("s.yaml", root.Find("flow")!.File);
    }

    [Fact]
    public void Set_overrides_a_sequence_item_and_appends_one()
    {
        ConfigNode root = SuricataYaml.Parse(Yaml, "s.yaml");
        ConfigOverrides.Apply(root, ["af-packet.0.threads=4", "af-packet.2.interface=eth1", "af-packet.2.threads=3"]);

        IReadOnlyList<LiveInterfaceOptions> interfaces = LiveInterfaceConfiguration.Read(root, "af-packet", null, null);
        Assert.Equal(["eth0", "eth1"], interfaces.Select(i => i.Interface));
        Assert.Equal(4, interfaces[0].Threads);
        Assert.Equal(3, interfaces[1].Threads);
        Assert.Equal("--set", root.Find("af-packet.0.threads")!.File);
        Assert.Equal("s.yaml", root.Find("af-packet.0.interface")!.File);
    }

    [Fact]
    public void Set_reaches_into_a_list_item_that_is_a_mapping_as_suricata_allows()
    {
        // Suricata's default suricata.yaml: eve-log types are "- alert", "- anomaly: {...}", ...
        const string eve = """
            outputs:
              - fast:
                  enabled: yes
              - eve-log:
                  types:
                    - alert
                    - flow
                    - anomaly:
                        enabled: yes
                        types:
                          decode: no
            """;
        ConfigNode root = SuricataYaml.Parse(eve, "s.yaml");
        ConfigOverrides.Apply(root, ["outputs.1.eve-log.types.2.anomaly.types.stream=yes", "outputs.1.eve-log.types.2.anomaly.types.decode=yes"]);

        HostConfiguration config = HostConfiguration.Bind(root, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(["alert", "flow", "anomaly"], config.EveLog.Types);
        Assert.Equal("yes", root.Find("outputs.1.eve-log.types.2.anomaly.types.stream")!.Value);
        Assert.Equal("yes", root.Find("outputs.1.eve-log.types.2.anomaly.types.decode")!.Value);
        Assert.Equal("yes", root.Find("outputs.1.eve-log.types.2.anomaly.enabled")!.Value);
    }

    [Fact]
    public void Set_creates_missing_lists_and_mappings()
    {
        ConfigNode root = ConfigNode.CreateMapping();
        ConfigOverrides.Apply(root, ["netronome.0.interface=nfp0", "rule-files.0=a.rules"]);
        Assert.Equal("nfp0", root.Find("netronome.0.interface")!.Value);
        Assert.Equal(ConfigNodeKind.Sequence, root["rule-files"]!.Kind);
        Assert.Equal("af-packet.0", SuricataYaml.Parse(Yaml, "s.yaml").Find("af-packet.0")!.Path);
    }

    [Theory]
    [InlineData("flow.hash-size", "flow.hash-size", "expected <key.path>=<value>")]
    [InlineData("=5", "(empty key)", "expected <key.path>=<value>")]
    [InlineData("flow..hash-size=5", "flow..hash-size", "empty path segment")]
    [InlineData("af-packet.5.threads=1", "af-packet.5", "index 5 is beyond the end of list 'af-packet' (2 items)")]
    [InlineData("af-packet.eth0.threads=1", "af-packet.eth0", "is a list")]
    public void Bad_set_syntax_names_the_override_and_key(string assignment, string key, string cause)
    {
        ConfigNode root = SuricataYaml.Parse(Yaml, "s.yaml");
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => ConfigOverrides.Apply(root, ["stats.enabled=yes", assignment]));
        Assert.StartsWith($"--set:2: {key}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(cause, error.Message, StringComparison.Ordinal);
    }
}
