// Shared host-test fixtures (tests/Shared/Host). This file: a live host's configuration with XDP bypass.
namespace Capture.Tests.Host;

/// <summary>The configuration of a host live on a test's interface: af-packet, one thread, XDP bypass in generic mode, one rules file.</summary>
public static class XdpBypassConfiguration
{
    /// <summary>
    /// Writes <paramref name="name"/>.rules (the one <paramref name="rule"/>) and <paramref name="name"/>.yaml
    /// (plus <paramref name="moreYaml"/>) into <paramref name="directory"/>.
    /// </summary>
    /// <returns>The YAML file's path.</returns>
    public static string Write(string directory, string name, string interfaceName, string rule, string moreYaml = "")
    {
        Directory.CreateDirectory(directory);
        string rules = Path.Combine(directory, $"{name}.rules");
        File.WriteAllText(rules, rule + "\n");
        string yaml = Path.Combine(directory, $"{name}.yaml");
        File.WriteAllText(yaml, $"""
            %YAML 1.1
            ---
            rule-files:
              - {rules}
            af-packet:
              - interface: {interfaceName}
                threads: 1
                bypass: yes
                xdp-mode: soft
                block-timeout: 10

            """ + moreYaml);
        return yaml;
    }
}
