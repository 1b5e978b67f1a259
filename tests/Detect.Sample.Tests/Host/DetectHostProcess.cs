using Capture.Tests.Host;
using Capture.Tests.Shared;

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
}
