using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Capture.AfPacket.Bench;

/// <summary>tcpdump on the same interface during the same run, writing to /dev/null: its packets, kernel drops and CPU.</summary>
internal sealed partial class TcpdumpRun : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    public TcpdumpRun(string interfaceName)
    {
        var start = new ProcessStartInfo("tcpdump") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { "-i", interfaceName, "-n", "-s", "0", "-B", "4096", "-w", "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start tcpdump (apt-get install tcpdump)");
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>CPU seconds tcpdump used so far, user and user + system, from /proc (10 ms ticks).</summary>
    public (double User, double Total) CpuSeconds()
    {
        string[] fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(") ")[1].Split(' ');
        long user = long.Parse(fields[11], CultureInfo.InvariantCulture);
        long system = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (user / 100.0, (user + system) / 100.0);
    }

    /// <summary>Stops tcpdump (SIGINT) and reads its summary.</summary>
    public (long Captured, long Dropped) Stop()
    {
        BenchNetwork.Run("kill", "-INT", _process.Id.ToString(CultureInfo.InvariantCulture));
        _process.WaitForExit();
        string text = _stderr.Result;
        return (Number(CapturedPattern(), text), Number(DroppedPattern(), text));
    }

    public void Dispose() => _process.Dispose();

    private static long Number(Regex pattern, string text)
    {
        Match match = pattern.Match(text);
        return match.Success ? long.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"(?<count>\d+) packets captured", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CapturedPattern();

    [GeneratedRegex(@"(?<count>\d+) packets dropped by kernel", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex DroppedPattern();
}
