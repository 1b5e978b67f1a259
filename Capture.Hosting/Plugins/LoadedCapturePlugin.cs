using System.Reflection;
using System.Runtime.Loader;
using Capture.Abstractions;

namespace Capture.Hosting.Plugins;

/// <summary>A capture plugin that passed every check and was activated.</summary>
public sealed class LoadedCapturePlugin
{
    internal LoadedCapturePlugin(string directory, CapturePluginManifest manifest, Assembly assembly, ICapturePlugin plugin, CapturePluginDescriptor descriptor, AssemblyLoadContext loadContext)
    {
        Directory = directory;
        Manifest = manifest;
        Assembly = assembly;
        Plugin = plugin;
        Descriptor = descriptor;
        LoadContext = loadContext;
    }

    /// <summary>The capture name (<c>pcap</c>, <c>af-packet</c>, ...).</summary>
    public string Name => Descriptor.Name;

    /// <summary>The directory the plugin was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The plugin's <c>plugin.json</c>.</summary>
    public CapturePluginManifest Manifest { get; }

    /// <summary>What the plugin says about itself.</summary>
    public CapturePluginDescriptor Descriptor { get; }

    /// <summary>The entry assembly, loaded in the plugin's own load context.</summary>
    public Assembly Assembly { get; }

    /// <summary>The plugin's entry object.</summary>
    public ICapturePlugin Plugin { get; }

    internal AssemblyLoadContext LoadContext { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Descriptor.PluginVersion} ({Directory})";
}
