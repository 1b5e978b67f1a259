using System.Diagnostics;
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
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedPcaps.RepositoryRoot,
            ArgumentList = { Path.Combine("scripts", "publish-aot.sh"), Directory },
        };
        using var publish = new RunningHost(Process.Start(start) ?? throw new InvalidOperationException("cannot start bash"));
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

    /// <summary>Runs the executable in the repository's root and waits for it.</summary>
    internal static HostResult Run(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedPcaps.RepositoryRoot,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var host = new RunningHost(Process.Start(start) ?? throw new InvalidOperationException($"cannot start {executable}"));
        return DetectHostProcess.Finish(host, TimeSpan.FromSeconds(90));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
