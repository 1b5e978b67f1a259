using Capture.Hosting.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Detect.Sample.Hosting;

/// <summary>
/// Loads every capture plugin under the default root (<c>plugins/</c> beside the program) and
/// the operator's roots with <see cref="CapturePluginLoader"/>, one directory at a time: a plugin
/// that fails to load is fatal only when it is the one this run selected; otherwise it is
/// reported and skipped, so a broken optional plugin does not stop an offline run.
/// </summary>
internal static class PluginDiscovery
{
    public static PluginInventory Load(IServiceCollection services, CapturePluginLoadOptions options, IEnumerable<string> operatorRoots, string selected, ILogger logger)
    {
        var loader = new CapturePluginLoader(options);
        var roots = new List<string>();
        var byName = new Dictionary<string, LoadedCapturePlugin>(StringComparer.Ordinal);
        var failures = new List<CapturePluginException>();
        if (Directory.Exists(CapturePluginLoadOptions.DefaultRoot))
        {
            roots.Add(Path.GetFullPath(CapturePluginLoadOptions.DefaultRoot));
        }

        foreach (string root in operatorRoots)
        {
            string full = Path.GetFullPath(root);
            if (!Directory.Exists(full))
            {
                throw new CapturePluginException(null, full, "plugin directory does not exist");
            }

            roots.Add(full);
        }

        foreach (string directory in roots.SelectMany(Candidates).Distinct(StringComparer.Ordinal))
        {
            try
            {
                // A later root (the operator's) replaces a plugin of the same name from an earlier one.
                LoadedCapturePlugin plugin = loader.LoadPlugin(directory);
                byName[plugin.Name] = plugin;
            }
            catch (CapturePluginException e)
            {
                if (string.Equals(e.PluginName, selected, StringComparison.Ordinal) || string.Equals(Path.GetFileName(directory), selected, StringComparison.Ordinal))
                {
                    throw;
                }

                failures.Add(e);
                PluginLog.Skipped(logger, e.Message);
            }
        }

        CapturePluginCatalog catalog = loader.Register(services, [.. byName.Values]);
        return new PluginInventory(catalog, roots, failures);
    }

    private static IEnumerable<string> Candidates(string root)
    {
        if (File.Exists(Path.Combine(root, CapturePluginManifest.FileName)))
        {
            return [root];
        }

        return Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, CapturePluginManifest.FileName)))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal);
    }
}
