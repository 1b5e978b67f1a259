using Capture.Tests.Host;

namespace Capture.Verify.Tests;

/// <summary>
/// The build features the host names on its <c>--build-info</c> "Features:" line, as run.py reads
/// Suricata's: a test whose <c>requires.features</c> names one the build lacks is not run.
/// </summary>
internal static class HostBuildFeatures
{
    private static readonly Lazy<IReadOnlySet<string>> Features = new(Read);

    /// <summary>The features in <paramref name="required"/> the host does not have.</summary>
    public static IReadOnlyList<string> Missing(IEnumerable<string> required) => [.. required.Where(f => !Features.Value.Contains(f))];

    private static HashSet<string> Read()
    {
        using RunningHost host = DetectSampleLocation.Start("--build-info");
        (int exitCode, string output, string errors) = host.WaitForExit(TimeSpan.FromSeconds(60));
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("Features:", StringComparison.Ordinal));
        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"--build-info exited {exitCode} without a Features: line\n{output}\n{errors}");
        }

        return [.. line["Features:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }
}
