using System.Runtime.InteropServices;

namespace Capture.Benchmarks.Ebpf;

/// <summary>
/// CPU time of the calling thread (user + system, so the bpf() syscalls count), to report costs
/// that do not depend on how busy the shared machine is.
/// </summary>
internal static partial class ThreadCpuClock
{
    /// <summary>The calling thread's CPU time in nanoseconds.</summary>
    internal static unsafe long Nanoseconds()
    {
        long* timespec = stackalloc long[2];
        return ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, timespec) == 0 ? (timespec[0] * 1_000_000_000L) + timespec[1] : 0;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, long* timespec);
}
