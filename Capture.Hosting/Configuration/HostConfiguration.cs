using Capture.Abstractions;
using Capture.Hosting.Control;
using FlowEngine.Configuration;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Configuration;

/// <summary>
/// The host-level sections of a Suricata-style configuration, typed and validated: <c>flow:</c>,
/// <c>flow-timeouts:</c>, <c>defrag:</c>, <c>vlan:</c> (into <see cref="FlowEngineOptions"/>),
/// <c>plugins:</c>, <c>outputs:</c> (eve-log), <c>unix-command:</c>,
/// <c>stats:</c>, <c>default-rule-path</c>, <c>rule-files</c>, <c>stream:</c>,
/// <c>app-layer.protocols.tls.encryption-handling</c>, <c>default-log-dir</c> and <c>sensor-name</c>.
/// Capture sections (<c>pcap-file:</c>, <c>af-packet:</c>, <c>netronome:</c>, ...) are declared and
/// read by their plugins; every key is checked against the declarations of the host and of the
/// loaded plugins.
/// </summary>
public sealed class HostConfiguration
{
    internal HostConfiguration(ConfigNode root)
    {
        Root = root;
    }

    /// <summary>The whole tree (plugins read their own sections from it).</summary>
    public ConfigNode Root { get; }

    /// <summary>Flow table sizing, timeouts, defragmentation, VLAN tracking and community id.</summary>
    public FlowEngineOptions Flow { get; internal init; } = new();

    /// <summary>Plugin roots from <c>plugins:</c>, made absolute (relative to the YAML file that lists them).</summary>
    public IReadOnlyList<string> PluginDirectories { get; internal init; } = [];

    /// <summary>The EVE JSON log: the first enabled eve-log output (or, with none, one that is off).</summary>
    public EveLogOptions EveLog { get; internal init; } = new();

    /// <summary>Every enabled eve-log output, in file order (a local file and Redis, each with its own <c>types</c>).</summary>
    public IReadOnlyList<EveLogOptions> EveLogs { get; internal init; } = [new EveLogOptions()];

    /// <summary>The control socket.</summary>
    public UnixCommandOptions UnixCommand { get; internal init; } = new();

    /// <summary>Periodic statistics.</summary>
    public StatsOptions Stats { get; internal init; } = new();

    /// <summary>The directory relative rule files are found in (<c>default-rule-path</c>), or null.</summary>
    public string? DefaultRulePath { get; internal init; }

    /// <summary>Rule files (<c>rule-files</c>), resolved against <see cref="DefaultRulePath"/> (or the YAML file's directory).</summary>
    public IReadOnlyList<string> RuleFiles { get; internal init; } = [];

    /// <summary>Stream settings this host uses.</summary>
    public StreamOptions Stream { get; internal init; } = new();

    /// <summary>Encrypted TLS handling. Default <see cref="Configuration.TlsEncryptionHandling.Default"/>.</summary>
    public TlsEncryptionHandling TlsEncryptionHandling { get; internal init; }

    /// <summary>Log directory when <c>-l</c> is not given (<c>default-log-dir</c>), or null.</summary>
    public string? DefaultLogDirectory { get; internal init; }

    /// <summary>The sensor's name (<c>sensor-name</c>), written as <c>host</c> in every EVE event, or null.</summary>
    public string? SensorName { get; internal init; }

    /// <summary>Every warning (unknown keys, ignored values), each naming file, line and key; also logged.</summary>
    public IReadOnlyList<string> Warnings { get; internal init; } = [];

    /// <summary>Binds and validates the host sections.</summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="logger">Receives the warnings.</param>
    /// <returns>The typed configuration.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line, key and what is allowed.</exception>
    public static HostConfiguration Bind(ConfigNode root, ILogger logger) => Bind(root, logger, Array.Empty<ConfigKey>());

    /// <summary>
    /// Top-level sections that neither the host nor a loaded plugin declares (Suricata's capture
    /// sections of plugins not loaded, sections of other programs), in file order. Each is logged
    /// once and otherwise ignored.
    /// </summary>
    public IReadOnlyList<string> UndeclaredSections { get; internal init; } = [];

    /// <summary>The sections the host reads, declared as plugins declare theirs (see <see cref="ICapturePlugin.ConfigurationSections"/>).</summary>
    public static IReadOnlyList<ConfigKey> Sections => HostConfigurationSections.All;

    /// <summary>
    /// Checks every key of <paramref name="root"/> against the host's sections and <paramref name="sections"/>
    /// (the loaded plugins', the application's), then binds and validates the host sections.
    /// </summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="logger">Receives the warnings.</param>
    /// <param name="sections">Sections declared by loaded plugins and the application; each name may be declared once.</param>
    /// <returns>The typed configuration.</returns>
    /// <exception cref="ConfigurationException">A value is wrong (the message names file, line, key and what is allowed), or a section is declared twice.</exception>
    public static HostConfiguration Bind(ConfigNode root, ILogger logger, IEnumerable<ConfigKey> sections)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(sections);
        return new HostConfigurationBinder(logger).Bind(root, sections);
    }

    /// <summary>
    /// The plugin roots of <c>plugins:</c>, made absolute, read before the plugins (and so before the
    /// rest of the configuration can be checked against their declarations).
    /// </summary>
    /// <param name="root">The configuration root.</param>
    /// <returns>The directories.</returns>
    /// <exception cref="ConfigurationException"><c>plugins:</c> is not a list of directories.</exception>
    public static IReadOnlyList<string> ReadPluginDirectories(ConfigNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return HostConfigurationBinder.BindPluginDirectories(root["plugins"]);
    }
}
