using System.Runtime.InteropServices;

namespace Detect.Sample.Output;

/// <summary>
/// The few file calls that .NET's file API does not offer: opening relative to a directory
/// descriptor without following links, appending with exact knowledge of what reached the disk,
/// and cutting a partly written line off again.
/// </summary>
internal static partial class PosixFile
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int ENOTDIR = 20;
    public const int ELOOP = 40;

    private const int OWriteOnly = 0x1;
    private const int OCreate = 0x40;
    private const int OAppend = 0x400;
    private const int ONonBlock = 0x800;
    private const int OCloseOnExec = 0x80000;

    // These two differ between the Linux ABIs .NET runs on.
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>Opens a directory itself, refusing a symbolic link in its last component.</summary>
    /// <returns>The descriptor, or -errno.</returns>
    public static int OpenDirectory(string path)
    {
        int fd = Open(path, ODirectory | ONoFollow | OCloseOnExec, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Opens (creating with <paramref name="mode"/>) a file for writing inside a directory, never
    /// through a symbolic link, never blocking on a FIFO, never truncating.
    /// </summary>
    /// <returns>The descriptor, or -errno.</returns>
    public static int OpenForWriting(SafeHandle directory, string name, bool append, UnixFileMode mode)
    {
        bool added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            int flags = OWriteOnly | OCreate | ONoFollow | ONonBlock | OCloseOnExec | (append ? OAppend : 0);
            int fd = OpenAt((int)directory.DangerousGetHandle(), name, flags, (uint)mode);
            return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                directory.DangerousRelease();
            }
        }
    }

    /// <summary>Creates a file that must not exist yet (never through a symbolic link).</summary>
    /// <returns>The descriptor, or -errno (<see cref="EEXIST"/> when something is there).</returns>
    public static int CreateNew(string path, UnixFileMode mode)
    {
        const int OExclusive = 0x80;
        int fd = Open(path, OWriteOnly | OCreate | OExclusive | ONoFollow | OCloseOnExec, (uint)mode);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Writes all of <paramref name="data"/>.</summary>
    /// <returns>0, or the errno of the call that failed (some bytes may have been written).</returns>
    public static int WriteAll(SafeHandle file, ReadOnlySpan<byte> data) => WriteAll(file, data, out _);

    /// <summary>Writes all of <paramref name="data"/>; <paramref name="written"/> says how much reached the file, also when a call failed.</summary>
    /// <returns>0, or the errno of the call that failed.</returns>
    public static unsafe int WriteAll(SafeHandle file, ReadOnlySpan<byte> data, out int written)
    {
        written = 0;
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            int fd = (int)file.DangerousGetHandle();
            fixed (byte* start = data)
            {
                int done = 0;
                while (done < data.Length)
                {
                    nint n = Write(fd, start + done, data.Length - done);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR)
                        {
                            continue;
                        }

                        written = done;
                        return errno;
                    }

                    done += (int)n;
                }

                written = done;
            }

            return 0;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>The end of the file (its length), or -errno.</summary>
    public static long End(SafeHandle file) => WithFd(file, fd =>
    {
        long end = Seek(fd, 0, 2 /* SEEK_END */);
        return end >= 0 ? end : -Marshal.GetLastPInvokeError();
    });

    /// <summary>Cuts the file to <paramref name="length"/> bytes and puts the write position there.</summary>
    /// <returns>0, or the errno.</returns>
    public static int CutTo(SafeHandle file, long length) => (int)WithFd(file, fd =>
    {
        if (Truncate(fd, length) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        return Seek(fd, length, 0 /* SEEK_SET */) < 0 ? Marshal.GetLastPInvokeError() : 0;
    });

    /// <summary>Removes a file of a directory by its plain name (a link is removed, never followed).</summary>
    /// <returns>0, or the errno.</returns>
    public static int RemoveAt(SafeHandle directory, string name) => (int)WithFd(directory, fd => UnlinkAt(fd, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError());

    /// <summary>Whether the descriptor can be appended to as a file: a FIFO or a socket cannot seek.</summary>
    public static bool IsSeekable(SafeHandle file) => WithFd(file, fd => Seek(fd, 0, 1 /* SEEK_CUR */)) >= 0;

    /// <summary>The text of an errno value, e.g. "No space left on device (ENOSPC)".</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static long WithFd(SafeHandle handle, Func<int, long> call)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int directory, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkAt(int directory, string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Truncate(int fd, long length);
}
