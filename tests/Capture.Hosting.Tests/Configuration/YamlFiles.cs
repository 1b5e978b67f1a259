namespace Capture.Hosting.Tests.Configuration;

/// <summary>YAML files in a private temp directory, deleted afterwards.</summary>
internal sealed class YamlFiles : IDisposable
{
    public YamlFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("capture-yaml-").FullName;
    }

    public string Directory { get; }

    public string Write(string name, string text)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
