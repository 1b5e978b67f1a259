using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Detect.Sample.Hosting;

/// <summary>
/// <c>threading.worker-priority</c>: the nice value of every thread of the process, set just before
/// the capture starts. On Linux a thread's nice value is its own and a new thread inherits its
/// creator's, so the capture thread, the engine's workers (thread-pool threads) and the output
/// threads started afterwards all run at it. A live capture's bypass waits for a CPU on a busy
/// machine; a lower nice value shortens that wait (docs/benchmarks-afpacket.md).
/// </summary>
internal static partial class WorkerPriority
{
    private const int PrioProcess = 0;
    private const int Esrch = 3;
    private const int Eperm = 1;
    private const int Eacces = 13;

    /// <summary>Sets <paramref name="nice"/> on every thread of the process.</summary>
    /// <exception cref="HostExitException">A thread's nice value could not be set; the message says why.</exception>
    public static void Apply(int nice)
    {
        Debug.Assert(nice is >= -20 and <= 19, "the declaration bounds the value");
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            int tid = int.Parse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture);
            if (SetPriority(PrioProcess, tid, nice) == 0)
            {
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Esrch)
            {
                continue; // the thread ended meanwhile
            }

            string why = errno is Eperm or Eacces
                ? "a nice value below the process's own needs root or CAP_SYS_NICE"
                : Marshal.GetPInvokeErrorMessage(errno);
            throw new HostExitException(ExitCodes.RuntimeError, $"threading.worker-priority {nice}: setting thread {tid}'s nice value failed: {why} (errno {errno})");
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
