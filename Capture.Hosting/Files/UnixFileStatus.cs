using System.Runtime.InteropServices;

namespace Capture.Hosting.Files;

/// <summary>
/// Owner and mode of a path, read with <c>statx</c> without following a final symbolic link
/// (.NET has no API for a file's owner). <c>statx</c>'s layout is the same on every
/// architecture, unlike <c>struct stat</c>.
/// </summary>
internal readonly partial struct UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxUid = 0x8;
    private const int StatxSize = 256;
    private const int UidOffset = 20;
    private const int ModeOffset = 28;
    private const uint TypeMask = 0xF000;
    private const uint Directory = 0x4000;
    private const uint SymbolicLink = 0xA000;
    private const int NoSuchEntry = 2;
    private const int NotADirectory = 20;

    private UnixFileStatus(uint owner, uint mode)
    {
        Owner = owner;
        Mode = mode;
    }

    /// <summary>The owner's user id.</summary>
    public uint Owner { get; }

    /// <summary>The permission bits with set-id and sticky bits (<c>07777</c>).</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    /// <summary>Whether the path is a directory.</summary>
    public bool IsDirectory => (Mode & TypeMask) == Directory;

    /// <summary>Whether the path is itself a symbolic link.</summary>
    public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLink;

    /// <summary>The file type bits (<c>S_IFMT</c>: 0xC000 socket, 0x8000 regular file, ...).</summary>
    public int Type => (int)(Mode & TypeMask);

    private uint Mode { get; }

    /// <summary>Reads a path's owner and mode.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The status.</returns>
    /// <exception cref="IOException">The path cannot be examined; the message names it and the system's reason.</exception>
    public static UnixFileStatus Read(string path)
    {
        int errno = TryRead(path, out UnixFileStatus status);
        return errno == 0 ? status : throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Reads a path's owner and mode, or finds that nothing is there.</summary>
    /// <param name="path">An absolute path.</param>
    /// <param name="status">The status, when the path exists.</param>
    /// <returns>False when nothing is at the path (or a parent is not a directory).</returns>
    /// <exception cref="IOException">The path cannot be examined for another reason.</exception>
    public static bool TryReadExisting(string path, out UnixFileStatus status)
    {
        int errno = TryRead(path, out status);
        return errno switch
        {
            0 => true,
            NoSuchEntry or NotADirectory => false,
            _ => throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}"),
        };
    }

    private static unsafe int TryRead(string path, out UnixFileStatus status)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, buffer) != 0)
        {
            status = default;
            return Marshal.GetLastPInvokeError();
        }

        status = new UnixFileStatus(*(uint*)(buffer + UidOffset), *(ushort*)(buffer + ModeOffset));
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
