using Microsoft.Extensions.Logging;

namespace Capture.Abstractions;

/// <summary>What the host tells a plugin when it activates it.</summary>
public sealed class CapturePluginContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="hostContractVersion">The contract version the host offers.</param>
    /// <param name="pluginDirectory">The directory the plugin was loaded from.</param>
    /// <param name="configuration">The whole configuration tree (plugins read their own section).</param>
    /// <param name="loggerFactory">Logging for the plugin's activation.</param>
    public CapturePluginContext(Version hostContractVersion, string pluginDirectory, ConfigNode configuration, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(hostContractVersion);
        ArgumentNullException.ThrowIfNull(pluginDirectory);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        HostContractVersion = hostContractVersion;
        PluginDirectory = pluginDirectory;
        Configuration = configuration;
        LoggerFactory = loggerFactory;
    }

    /// <summary>The contract version the host offers.</summary>
    public Version HostContractVersion { get; }

    /// <summary>The directory the plugin was loaded from (native libraries and data files live here).</summary>
    public string PluginDirectory { get; }

    /// <summary>The whole configuration tree.</summary>
    public ConfigNode Configuration { get; }

    /// <summary>Logging during activation.</summary>
    public ILoggerFactory LoggerFactory { get; }
}
