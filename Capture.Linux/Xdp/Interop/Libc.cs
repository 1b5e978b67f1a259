using System.Runtime.InteropServices;

namespace Capture.Linux.Xdp.Interop;

/// <summary>The few libc calls the eBPF plumbing needs.</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int E2BIG = 7;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ERANGE = 34;
    internal const int EOPNOTSUPP = 95;

    [LibraryImport(Library, EntryPoint = "vsnprintf")]
    internal static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint args);

    [LibraryImport(Library, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial uint IfNameToIndex(string name);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    internal const int ClockRealtime = 0;
    internal const int ClockMonotonic = 1;

    [LibraryImport(Library, EntryPoint = "clock_gettime")]
    internal static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, void* argument);

    /// <summary>A clock's time in nanoseconds (vDSO: no system call).</summary>
    internal static long ClockNanoseconds(int clock)
    {
        TimeSpec time;
        ClockGetTime(clock, &time);
        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    /// <summary>The errno of the last SetLastError call on this thread.</summary>
    internal static int LastError() => Marshal.GetLastPInvokeError();

    /// <summary>The text of an errno ("Invalid argument").</summary>
    internal static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>dup with close-on-exec, so one kernel object can have a second, independent owner.</summary>
    internal static int DuplicateCloseOnExec(int fd) => Fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 3);
}
