using System.Runtime.InteropServices;

namespace Detect.Sample.Hosting;

/// <summary>
/// Undoes an inherited "ignore" for SIGINT and SIGQUIT. A shell starts background jobs of a
/// non-interactive script with both ignored, and the .NET runtime then never delivers them to a
/// <see cref="PosixSignalRegistration"/>; a daemon must stop on them however it was started.
/// </summary>
internal static partial class SignalDisposition
{
    private const int SigInt = 2;
    private const int SigQuit = 3;

    // struct sigaction on Linux (x86-64, arm64): the handler is the first member; 256 bytes
    // cover the whole struct on both.
    private const int SigactionSize = 256;

    /// <summary>Resets SIGINT and SIGQUIT to their default action where they are ignored.</summary>
    /// <returns>The signals that were ignored and are not any more.</returns>
    public static IReadOnlyList<string> RestoreIgnoredStopSignals()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var restored = new List<string>(2);
        foreach ((int signal, string name) in new[] { (SigInt, "SIGINT"), (SigQuit, "SIGQUIT") })
        {
            if (IsIgnored(signal) && Signal(signal, 0 /* SIG_DFL */) != -1)
            {
                restored.Add(name);
            }
        }

        return restored;
    }

    private static unsafe bool IsIgnored(int signal)
    {
        byte* old = stackalloc byte[SigactionSize];
        new Span<byte>(old, SigactionSize).Clear();
        return Sigaction(signal, null, old) == 0 && *(nint*)old == 1 /* SIG_IGN */;
    }

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int Sigaction(int signal, byte* action, byte* oldAction);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
