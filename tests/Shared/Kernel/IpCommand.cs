// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: running iproute2 commands with their errors.
using System.Diagnostics;

namespace Capture.Tests.Kernel;

/// <summary>Runs <c>ip</c> (iproute2) and reports its stderr on failure.</summary>
public static class IpCommand
{
    /// <summary>Runs <c>ip ARGS</c>; throws with stderr when it fails.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>Standard output.</returns>
    public static string Run(params string[] arguments)
    {
        (int code, string output, string error) = TryRun(arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({code}): {error.Trim()}");
        }

        return output;
    }

    /// <summary>Runs <c>ip ARGS</c> and returns the exit code and outputs (never throws for a failing command).</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>Exit code, stdout, stderr.</returns>
    public static (int ExitCode, string Output, string Error) TryRun(params string[] arguments)
    {
        ProcessStartInfo start = new("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
