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
/// <c>app-layer.protocols.tls.encryption-handling</c> and <c>default-log-dir</c>.
/// Capture sections (<c>pcap-file:</c>, <c>af-packet:</c>, <c>netronome:</c>, ...) are read by
/// their plugins; of <c>pcap-file:</c> the host checks the keys and refuses the run modes it lacks.
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

    /// <summary>The EVE JSON log.</summary>
    public EveLogOptions EveLog { get; internal init; } = new();

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

    /// <summary>Every warning (unknown keys, ignored values), each naming file, line and key; also logged.</summary>
    public IReadOnlyList<string> Warnings { get; internal init; } = [];

    /// <summary>Binds and validates the host sections.</summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="logger">Receives the warnings.</param>
    /// <returns>The typed configuration.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line, key and what is allowed.</exception>
    public static HostConfiguration Bind(ConfigNode root, ILogger logger) => Bind(root, logger, []);

    /// <summary>Binds and validates the host sections.</summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="logger">Receives the warnings.</param>
    /// <param name="pluginSections">Top-level sections read by loaded plugins (not warned about as unknown).</param>
    /// <returns>The typed configuration.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line, key and what is allowed.</exception>
    public static HostConfiguration Bind(ConfigNode root, ILogger logger, IEnumerable<string> pluginSections)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(pluginSections);
        return new HostConfigurationBinder(logger).Bind(root, pluginSections);
    }
}
