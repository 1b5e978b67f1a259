using Capture.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Hosting.Plugins;

/// <summary>Where to find capture plugins and how to load them.</summary>
public sealed class CapturePluginLoadOptions
{
    /// <summary>The default plugin root: <c>plugins</c> next to the host's assemblies.</summary>
    public static string DefaultRoot => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>
    /// Plugin roots (YAML <c>plugins:</c>, <c>--plugin-dir</c>), searched after the default root:
    /// each subdirectory holding a <c>plugin.json</c> is a plugin; a root that holds a
    /// <c>plugin.json</c> itself is one plugin. Each must exist and pass the trust policy.
    /// </summary>
    public IList<string> PluginRoots { get; } = [];

    /// <summary>Also search <see cref="DefaultRoot"/> when it exists. Default yes.</summary>
    public bool IncludeDefaultRoot { get; set; } = true;

    /// <summary>The configuration tree handed to plugins.</summary>
    public ConfigNode Configuration { get; set; } = ConfigNode.CreateMapping();

    /// <summary>Logging for the loader and the plugins' activation.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The plugins whose load failure stops the host. Null (the default): every plugin's. When
    /// set, a plugin not named here (by manifest name, or directory name before the manifest is
    /// read) that fails to load is skipped, logged and listed in
    /// <see cref="CapturePluginCatalog.Failures"/>, so a broken optional plugin does not stop a
    /// run that does not use it. Trust-policy refusals and duplicate plugins always stop it.
    /// </summary>
    public ICollection<string>? RequiredPlugins { get; set; }

    /// <summary>
    /// Load the code of the <see cref="RequiredPlugins"/> only. Every other plugin found is still
    /// checked against the trust policy and for duplicates, and listed in
    /// <see cref="CapturePluginCatalog.NotLoaded"/>, but its assemblies are not loaded: a run pays
    /// the memory and start-up only of the plugin it uses. Default no (every plugin is loaded).
    /// </summary>
    public bool LoadRequiredOnly { get; set; }

    /// <summary>Load each plugin in a collectible context (it can be unloaded when nothing references it). Default no.</summary>
    public bool Collectible { get; set; }

    /// <summary>
    /// Plugins compiled into the host. They take part in everything a plugin directory's plugin
    /// does (one name, the contract check both ways, <see cref="RequiredPlugins"/>,
    /// <see cref="LoadRequiredOnly"/>), with <see cref="AppContext.BaseDirectory"/> as their directory.
    /// A plugin directory with the name of a built-in plugin is refused as a duplicate.
    /// </summary>
    public IList<ICapturePlugin> BuiltInPlugins { get; } = [];

    /// <summary>
    /// Whether plugin assemblies can be loaded from plugin directories. Default yes. A host
    /// compiled ahead of time (Native AOT) cannot load assemblies: it sets this to false, uses its
    /// <see cref="BuiltInPlugins"/>, and a plugin directory's plugin it is asked for is refused
    /// naming the built-in ones. Directories are still searched and checked.
    /// </summary>
    public bool LoadsAssemblies { get; set; } = true;
}
