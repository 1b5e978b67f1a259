using Capture.Abstractions;
using Capture.Hosting.Configuration;
using Capture.Hosting.Plugins;
using Capture.Tests.Host;
using Capture.Tests.Shared;
using Detect.Sample.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Tests;

/// <summary>
/// The configuration declared by its owners, as the shipped host loads them: the host's sections,
/// the application's (<c>vars</c>) and those of the plugins built beside Detect.Sample. They drive
/// the checking of every key and the key tables of docs/CONFIG.md.
/// </summary>
public sealed class ConfigurationDocumentTests
{
    private const string Regenerate =
        "CAPTURE_WRITE_CONFIG_DOC=1 dotnet test tests/Detect.Sample.Tests/Detect.Sample.Tests.csproj --filter FullyQualifiedName~ConfigurationDocumentTests";

    private static readonly Lazy<IReadOnlyList<LoadedCapturePlugin>> ShippedPlugins = new(() =>
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false };
        options.PluginRoots.Add(Path.Combine(DetectSampleLocation.Directory, "plugins"));
        return new CapturePluginLoader(options).Load();
    });

    [Fact]
    public void Config_md_key_tables_are_the_declarations()
    {
        string path = Path.Combine(SharedPcaps.RepositoryRoot, "docs", "CONFIG.md");
        string written = File.ReadAllText(path);
        IReadOnlyList<ConfigKey> sections = [.. HostConfiguration.Sections, .. DetectSections.All, .. Plugins().SelectMany(p => p.Plugin.ConfigurationSections)];
        string generated = ConfigurationDocument.Update(written, sections);
        if (Environment.GetEnvironmentVariable("CAPTURE_WRITE_CONFIG_DOC") == "1")
        {
            File.WriteAllText(path, generated);
            return;
        }

        if (!string.Equals(written, generated, StringComparison.Ordinal))
        {
            string[] was = written.Split('\n');
            string[] now = generated.Split('\n');
            int line = Enumerable.Range(0, Math.Min(was.Length, now.Length)).FirstOrDefault(i => !string.Equals(was[i], now[i], StringComparison.Ordinal), Math.Min(was.Length, now.Length));
            Assert.Fail(
                $"docs/CONFIG.md's key tables differ from the declarations, first at line {line + 1}:\n" +
                $"  CONFIG.md:    {(line < was.Length ? was[line] : "<end>")}\n  declarations: {(line < now.Length ? now[line] : "<end>")}\n" +
                $"Regenerate the tables with: {Regenerate}");
        }
    }

    [Fact]
    public void The_shipped_plugins_declare_their_own_sections()
    {
        Assert.Equal(
            ["af-packet: af-packet", "netronome: netronome", "pcap-file: pcap-file", "pcap: pcap"],
            Plugins().SelectMany(p => p.Plugin.ConfigurationSections.Select(s => $"{p.Name}: {s.Name}")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_plugins_own_keys_are_accepted_and_its_unknown_keys_warned_with_their_path()
    {
        ConfigNode root = SuricataYaml.Parse("pcap-file:\n  bypass-table-size: 100\n  checksum-checks: no\n  bypass-table-sise: 5\n", "detect.yaml");

        HostConfiguration configuration = Bind(root, "pcap-file");

        Assert.Equal(["detect.yaml:4: pcap-file.bypass-table-sise: unknown key 'bypass-table-sise' ignored; did you mean bypass-table-size?"], configuration.Warnings);
        Assert.Empty(configuration.UndeclaredSections);
    }

    [Fact]
    public void A_bad_value_in_a_plugins_section_is_refused_naming_what_is_allowed()
    {
        ConfigNode root = SuricataYaml.Parse("af-packet:\n  - interface: default\n    cluster-type: cluster_magic\n", "detect.yaml");

        ConfigurationException error = Assert.Throws<ConfigurationException>(() => Bind(root, "af-packet"));

        Assert.Equal(
            "detect.yaml:3: af-packet.0.cluster-type: 'cluster_magic' is not allowed; expected one of: cluster_flow, cluster_cpu, cluster_qm, cluster_random, cluster_round_robin, cluster_ebpf, cluster_rollover",
            error.Message);

        // A run with another plugin does not load af-packet: its section is nobody's, reported once, not checked.
        Assert.Equal(["af-packet"], Bind(root, "pcap-file").UndeclaredSections);
    }

    [Fact]
    public void The_live_sections_warn_a_mistyped_key_and_the_default_entrys_keys_are_checked_too()
    {
        ConfigNode root = SuricataYaml.Parse("netronome:\n  - interface: default\n    blok-size: 1mb\n  - interface: nfp0\n    threads: 4\n", "detect.yaml");

        Assert.Equal(["detect.yaml:3: netronome.0.blok-size: unknown key 'blok-size' ignored; did you mean block-size?"], Bind(root, "netronome").Warnings);
    }

    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void Suricatas_default_configuration_binds_with_its_other_capture_sections_reported_not_warned()
    {
        string path = Path.GetFullPath(Path.Combine(SharedPcaps.RepositoryRoot, "..", "shared", "suricata-verify", "suricata.yaml.in"));
        // The build's substitutions (@e_logdir@ ...) made as configure makes them.
        string yaml = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "@[a-z_A-Z]+@", "x", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(5));

        HostConfiguration configuration = Bind(SuricataYaml.Parse(yaml, "suricata.yaml"), "pcap-file");

        Assert.Contains("af-packet", configuration.UndeclaredSections);
        Assert.DoesNotContain("pcap-file", configuration.UndeclaredSections);
        Assert.Contains("nflog", configuration.UndeclaredSections);
        // Every output it enables is one this host writes (eve-log, fast, stats); nothing is unknown.
        Assert.Empty(configuration.Warnings);
    }

    private static HostConfiguration Bind(ConfigNode root, string plugin) =>
        HostConfiguration.Bind(root, NullLogger.Instance, [.. DetectSections.All, .. Plugins().Single(p => p.Name == plugin).Plugin.ConfigurationSections]);

    private static IReadOnlyList<LoadedCapturePlugin> Plugins() => ShippedPlugins.Value;
}
