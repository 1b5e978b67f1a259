using Detect.Sample.Output;

namespace Detect.Sample.Tests;

/// <summary>A log directory of a test's own under the temporary directory, opened as the host opens one; removed with it.</summary>
internal sealed class TemporaryLogDirectory : IDisposable
{
    private readonly DirectoryInfo _directory;

    public TemporaryLogDirectory(string prefix)
    {
        _directory = Directory.CreateTempSubdirectory(prefix);
        Logs = LogDirectory.Open(_directory.FullName);
    }

    /// <summary>The open directory the logs are written into.</summary>
    public LogDirectory Logs { get; }

    /// <summary>The path of <paramref name="name"/> in the directory.</summary>
    public string PathOf(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose()
    {
        Logs.Dispose();
        _directory.Delete(recursive: true);
    }
}
