using System.Diagnostics;

namespace Capture.AfPacket.Bench;

/// <summary>A namespace with a veth pair: the capture end stays here, trafgen sends from the other end.</summary>
internal sealed class BenchNetwork : IDisposable
{
    public const string Namespace = "afbench";
    public const string HostInterface = "afbenchh";
    public const string PeerInterface = "afbenchp";

    public BenchNetwork()
    {
        Dispose();
        Run("ip", "netns", "add", Namespace);
        Run("ip", "link", "add", HostInterface, "address", "02:bb:00:00:00:01", "type", "veth", "peer", "name", PeerInterface, "address", "02:bb:00:00:00:02", "netns", Namespace);
        Run("ip", "link", "set", HostInterface, "up");
        Run("ip", "-n", Namespace, "link", "set", PeerInterface, "up");

        // No IPv6 chatter on the captured end: every packet counted is one trafgen sent.
        Run("sysctl", "-q", "-w", $"net.ipv6.conf.{HostInterface}.disable_ipv6=1");
        Run("ip", "netns", "exec", Namespace, "sysctl", "-q", "-w", $"net.ipv6.conf.{PeerInterface}.disable_ipv6=1");
    }

    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {error.Trim()}");
        }

        return output + error;
    }

    public void Dispose()
    {
        try
        {
            Run("ip", "link", "del", HostInterface);
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            Run("ip", "netns", "del", Namespace);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
