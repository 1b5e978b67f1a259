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
        Root = Directory.CreateTempSubdirectory("capture-plugins-").FullName;
        File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Root { get; }

    /// <summary>Copies a built test plugin to <c>Root/targetName</c>.</summary>
    public string Add(string builtName, string? targetName = null)
    {
        string source = Path.Combine(Built, builtName);
        if (!Directory.Exists(source))
        {
            throw new InvalidOperationException($"test plugin {builtName} was not built into {source}; build tests/Capture.Hosting.Tests");
        }

        string target = Path.Combine(Root, targetName ?? builtName);
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            File.SetUnixFileMode(destination, (UnixFileMode)0b110_100_100);
        }

        return target;
    }

    /// <summary>Writes a plugin.json.</summary>
    public static void WriteManifest(string pluginDirectory, string json) =>
        File.WriteAllText(Path.Combine(pluginDirectory, "plugin.json"), json);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A collectible context may still map a file for a moment; /tmp is cleaned eventually.
        }
    }
}
