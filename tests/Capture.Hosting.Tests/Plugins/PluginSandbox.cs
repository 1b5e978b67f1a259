using Capture.Tests.Plugins;

namespace Capture.Hosting.Tests.Plugins;

/// <summary>
/// A private plugins root in /tmp (mode 0700) holding copies of the built test plugins, so each
/// test can break its copy (delete a file, rewrite the manifest, loosen permissions) alone.
/// </summary>
internal sealed class PluginSandbox : IDisposable
{
    private static readonly string Built = Path.Combine(AppContext.BaseDirectory, "testplugins");

    public PluginSandbox()
    {
        Root = PluginFiles.CreatePrivateDirectory("capture-plugins-");
    }

    public string Root { get; }

    /// <summary>Copies a built test plugin to <c>Root/targetName</c>.</summary>
    public string Add(string builtName, string? targetName = null) => AddTo(Root, builtName, targetName);

    /// <summary>Copies a built test plugin to <c>root/targetName</c>.</summary>
    public static string AddTo(string root, string builtName, string? targetName = null) =>
        PluginFiles.Copy(Path.Combine(Built, builtName), Path.Combine(root, targetName ?? builtName));

    /// <summary>Creates a directory (0755) under <see cref="Root"/>.</summary>
    public string Directory(string relative)
    {
        string path = Path.Combine(Root, relative);
        System.IO.Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, PluginFiles.DirectoryMode);
        return path;
    }

    /// <summary>Writes a plugin.json.</summary>
    public static void WriteManifest(string pluginDirectory, string json) =>
        File.WriteAllText(Path.Combine(pluginDirectory, "plugin.json"), json);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A collectible context may still map a file for a moment; /tmp is cleaned eventually.
        }
    }
}
