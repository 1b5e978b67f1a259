using System.Diagnostics;
using Capture.Tests.Shared;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// Runs the real, built host (Detect.Sample/bin/&lt;configuration&gt;/net10.0, where the build lays
/// out its plugins) as a separate process, the way an operator runs it.
/// </summary>
internal static class DetectHostProcess
{
    private static readonly Lazy<string> HostAssembly = new(FindHost);

    public static string OutputDirectory => Path.GetDirectoryName(HostAssembly.Value)!;

    public static string SamplePcap => Path.Combine(SharedPcaps.RepositoryRoot, "samples", "sample.pcap");

    /// <summary>The command that runs the host: <c>dotnet exec Detect.Sample.dll</c>.</summary>
    public static string[] Command => [DotnetPath, "exec", HostAssembly.Value];

    private static string DotnetPath => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>Starts the host without waiting for it (for signals).</summary>
    /// <param name="prefix">A program the host command is appended to (e.g. a shell that changes signal dispositions), or empty.</param>
    /// <param name="args">The host's arguments.</param>
    public static RunningHost Start(IReadOnlyList<string> prefix, params string[] args)
    {
        ProcessStartInfo start = StartInfo(prefix.Count > 0 ? prefix[0] : DotnetPath);
        foreach (string arg in prefix.Skip(1).Concat(prefix.Count > 0 ? Command : Command.Skip(1)).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return new RunningHost(Process.Start(start) ?? throw new InvalidOperationException("cannot start the host"));
    }

    public static HostResult Run(params string[] args)
    {
        ProcessStartInfo start = StartInfo(DotnetPath);
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(HostAssembly.Value);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the host");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Detect.Sample {string.Join(' ', args)} did not finish within 90 s");
        }

        process.WaitForExit();
        return new HostResult(process.ExitCode, output.Result, error.Result);
    }

    private static ProcessStartInfo StartInfo(string program) => new(program)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
        WorkingDirectory = SharedPcaps.RepositoryRoot,
    };

    private static string FindHost()
    {
        // tests/Detect.Sample.Tests/bin/<Configuration>/net10.0 -> Detect.Sample/bin/<Configuration>/net10.0
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testOutput.Name;
        string configuration = testOutput.Parent!.Name;
        string path = Path.Combine(SharedPcaps.RepositoryRoot, "Detect.Sample", "bin", configuration, framework, "Detect.Sample.dll");
        if (!File.Exists(path) || !Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, "plugins", "pcap")))
        {
            throw new InvalidOperationException($"the built host with its plugins is missing at {path}; build Detect.Sample first");
        }

        return path;
    }
}
