using Capture.Tests.Shared;

namespace Capture.Differential.Tests;

/// <summary>Every capture file of <c>../shared/pcaps</c> and <c>../shared/suricata-verify</c>.</summary>
internal static class SharedCaptureFiles
{
    private static readonly string[] Extensions = [".pcap", ".pcapng", ".cap"];

    /// <summary>The files, by path relative to <c>../shared</c>, in a stable order.</summary>
    public static IReadOnlyList<string> All()
    {
        string shared = Path.GetDirectoryName(SharedPcaps.Directory)!;
        return [.. new[] { SharedPcaps.Directory, SharedPcaps.SuricataVerifyDirectory }
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(shared, f))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The full path of a file named by <see cref="All"/>.</summary>
    public static string PathOf(string relative) => Path.Combine(Path.GetDirectoryName(SharedPcaps.Directory)!, relative);
}
