using System.Diagnostics;
using System.Globalization;

namespace Capture.Bypass.Bench;

/// <summary>
/// The shared sender (../shared/tools/fastsender.c), compiled once with cc into a temporary
/// directory and run inside the namespace: UDP 127.10.0.i:20000+i -> 127.20.0.1:PORT, round-robin.
/// </summary>
internal sealed class FastSender : IDisposable
{
    private readonly string _directory;

    public FastSender(string source)
    {
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"the sender's source is missing: {source} (pass --sender PATH)", source);
        }

        _directory = Directory.CreateTempSubdirectory("bypass-bench-sender-").FullName;
        Executable = Path.Combine(_directory, "fastsender");
        Exec.Run("cc", "-O2", "-o", Executable, source);
    }

    public string Executable { get; }

    /// <summary>Starts one sender in <paramref name="namespaceName"/> on <paramref name="interfaceName"/>; it prints the packets sent when done.</summary>
    public Process Start(string namespaceName, string interfaceName, string destinationMac, int port, int flows, int packetsPerFlow, int packetsPerSecond)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "netns", "exec", namespaceName, Executable, interfaceName, destinationMac,
            port.ToString(CultureInfo.InvariantCulture), flows.ToString(CultureInfo.InvariantCulture),
            packetsPerFlow.ToString(CultureInfo.InvariantCulture), "64", packetsPerSecond.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the sender");
    }

    /// <summary>Waits for a sender and returns the packets it says it sent.</summary>
    public static long Finish(Process sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        string output = sender.StandardOutput.ReadToEnd();
        string error = sender.StandardError.ReadToEnd();
        sender.WaitForExit();
        if (sender.ExitCode != 0 || !long.TryParse(output.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long sent))
        {
            throw new InvalidOperationException($"the sender failed ({sender.ExitCode}): {output} {error}");
        }

        if (error.Length > 0)
        {
            throw new SenderStoppedException($"the sender stopped after {sent} packets: {error.Trim()}");
        }

        return sent;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
