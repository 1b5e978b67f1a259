using Capture.Tests.Host;
using Capture.Tests.Shared;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// The host compiled ahead of time, published once per test class by the script operators use
/// (<c>scripts/publish-aot.sh</c>) into a temporary directory, removed after.
/// </summary>
public sealed class AheadOfTimeHost : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    public AheadOfTimeHost()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("detect-aot-").FullName;
        using RunningHost publish = DetectSampleLocation.StartProcess(
            ["bash", Path.Combine("scripts", "publish-aot.sh"), Directory], new Dictionary<string, string>(), SharedPcaps.RepositoryRoot);
        (int exitCode, string output, string error) = publish.WaitForExit(PublishTimeout);
        if (exitCode != 0 || !File.Exists(Executable))
        {
            throw new InvalidOperationException($"scripts/publish-aot.sh failed (exit {exitCode}):\n{output}\n{error}");
        }
    }

    /// <summary>The publish directory.</summary>
    public string Directory { get; }

    /// <summary>The native executable.</summary>
    public string Executable => Path.Combine(Directory, "Detect.Sample");

    /// <summary>Starts the executable in the repository's root, without waiting for it.</summary>
    internal RunningHost Start(params string[] arguments) =>
        DetectSampleLocation.StartProcess([Executable, .. arguments], new Dictionary<string, string>(), SharedPcaps.RepositoryRoot);

    /// <summary>Runs the executable in the repository's root and waits for it.</summary>
    internal HostResult Run(params string[] arguments)
    {
        using RunningHost host = Start(arguments);
        return DetectHostProcess.Finish(host, TimeSpan.FromSeconds(90));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
