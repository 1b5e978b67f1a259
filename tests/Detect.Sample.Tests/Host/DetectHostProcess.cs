using Capture.Tests.Host;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Firewall;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// Runs the real, built host (Detect.Sample/bin/&lt;configuration&gt;/net10.0, where the build lays
/// out its plugins) as a separate process, the way an operator runs it.
/// </summary>
internal static class DetectHostProcess
{
    public static string OutputDirectory => DetectSampleLocation.Directory;

    public static string SamplePcap => Path.Combine(SharedPcaps.RepositoryRoot, "samples", "sample.pcap");

    /// <summary>Waits for a started host to end.</summary>
    public static HostResult Finish(RunningHost host, TimeSpan timeout)
    {
        (int exitCode, string output, string error) = host.WaitForExit(timeout);
        return new HostResult(exitCode, output, error);
    }

    public static HostResult Run(params string[] args)
    {
        using RunningHost host = DetectSampleLocation.Start(args);
        return Finish(host, TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// Writes <paramref name="frames"/> (one microsecond apart), <paramref name="rules"/> and
    /// <paramref name="yaml"/> into <paramref name="work"/> and runs the host on them in simulated
    /// IPS mode, checksums not checked; returns the path of its eve.json.
    /// </summary>
    public static string RunSimulatedIps(DirectoryInfo work, byte[][] frames, string rules, string yaml)
    {
        string pcap = Path.Combine(work.FullName, "capture.pcap");
        InlineCapture.Write(pcap, frames);
        string rulesPath = Path.Combine(work.FullName, "capture.rules");
        File.WriteAllText(rulesPath, rules);
        string yamlPath = Path.Combine(work.FullName, "capture.yaml");
        File.WriteAllText(yamlPath, yaml);
        string logs = Path.Combine(work.FullName, "logs");

        HostResult result = Run("-c", yamlPath, "-r", pcap, "-S", rulesPath, "-l", logs, "-k", "none", "--simulate-ips");

        Assert.True(result.ExitCode == 0, result.ToString());
        return Path.Combine(logs, "eve.json");
    }
}
