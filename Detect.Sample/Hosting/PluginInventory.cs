using Capture.Hosting.Plugins;

namespace Detect.Sample.Hosting;

/// <summary>The capture plugins this run found: loaded ones (in the catalog), the ones that failed to load, and where it looked.</summary>
internal sealed record PluginInventory(CapturePluginCatalog Catalog, IReadOnlyList<string> Roots, IReadOnlyList<CapturePluginException> Failures)
{
    /// <summary>"capture plugin 'x' is not available; loaded: a, b; ..." for a plugin that is not loaded.</summary>
    public string DescribeMissing(string captureName)
    {
        string loaded = Catalog.Plugins.Count == 0 ? "none" : string.Join(", ", Catalog.Plugins.Select(p => p.Name).Order(StringComparer.Ordinal));
        string searched = Roots.Count == 0 ? "no plugin directory exists" : $"searched {string.Join(", ", Roots)}";
        string failed = Failures.Count == 0 ? string.Empty : $"; failed to load: {string.Join(", ", Failures.Select(f => f.PluginName ?? f.Directory))}";
        return $"capture plugin '{captureName}' is not available; loaded plugins: {loaded} ({searched}{failed}). Add its directory with --plugin-dir or the 'plugins:' list";
    }
}
