using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Capture.Abstractions;

namespace Detect.Sample.Hosting;

/// <summary><c>--build-info</c> (and the version line of <c>-V</c>): what this build is and what it can do.</summary>
internal static class BuildInfo
{
    /// <summary>The one-line version, as <c>-V</c> prints it.</summary>
    public static string VersionLine =>
        $"{DetectProgram.Name} {typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"} (capture contract {CaptureContract.Current})";

    public static string Describe()
    {
        string plugins = Path.Combine(AppContext.BaseDirectory, "plugins");
        string[] shipped = Directory.Exists(plugins) ? [.. Directory.GetDirectories(plugins).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];
        var text = new StringBuilder();
        text.AppendLine(VersionLine);
        string build = BuiltInCapturePlugins.AheadOfTime ? "compiled ahead of time (Native AOT)" : "Just-In-Time compiled";
        text.AppendLine($"Runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}, {build}");
        text.AppendLine($"OS: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        string[] builtIn = [.. BuiltInCapturePlugins.Create().Select(p => p.Descriptor.Name)];
        if (builtIn.Length > 0)
        {
            text.AppendLine($"Capture plugins built in: {string.Join(", ", builtIn)}");
        }

        text.AppendLine($"Capture plugins shipped ({plugins}): {(shipped.Length == 0 ? "none" : string.Join(", ", shipped))}");
        text.AppendLine("Run modes: single, autofp, workers");

        // Suricata's build feature names, for what this build has (suricata-verify's requires.features
        // reads this line); QA_SIMULATION's fault injection (--simulate-packet-*) is not among them.
        text.AppendLine("Features: AF_PACKET HAVE_PACKET_FANOUT");
        text.AppendLine("Outputs: eve-log (file or redis: alert, anomaly, flow, stats), fast, stats, pcap-log; suricata.log (logging.outputs file)");
        text.Append("Not built in: daemon mode (-D; use systemd), app-layer parsers and their EVE records, unified2, QA simulation (--simulate-packet-*)");
        return text.ToString();
    }
}
