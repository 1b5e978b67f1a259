using System.Runtime.InteropServices;

namespace Capture.Hosting.Plugins;

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

    private uint Mode { get; }

    /// <summary>Reads a path's owner and mode.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The status.</returns>
    /// <exception cref="IOException">The path cannot be examined; the message names it and the system's reason.</exception>
    public static unsafe UnixFileStatus Read(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode | StatxUid, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return new UnixFileStatus(*(uint*)(buffer + UidOffset), *(ushort*)(buffer + ModeOffset));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
