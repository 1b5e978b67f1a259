using Capture.Hosting.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Tests.Plugins;

internal static class PluginAssert
{
    /// <summary>Loads and registers the plugins of a root and returns the failure, checking it names the plugin and the cause.</summary>
    public static CapturePluginException Fails(string root, string pluginName, params string[] cause)
    {
        var options = new CapturePluginLoadOptions { IncludeDefaultRoot = false };
        options.PluginRoots.Add(root);
        CapturePluginException error = Assert.Throws<CapturePluginException>(() => new ServiceCollection().AddCapturePlugins(options));
        Assert.Contains($"'{pluginName}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(pluginName, error.PluginName);
        foreach (string part in cause)
        {
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
        }

        return error;
    }
}
