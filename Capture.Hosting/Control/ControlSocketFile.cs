using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Control;

/// <summary>
/// Makes the control socket's path free without destroying anything the server does not own: only
/// a socket nobody listens on (a previous run's, left by a crash) is removed. A regular file, a
/// directory, a symbolic link, a device or a live socket is left alone and the start fails naming it.
/// </summary>
internal static partial class ControlSocketFile
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;
    private const int StatxSize = 256;
    private const int NoSuchEntry = 2;
    private const int NotADirectory = 20;
    private const int TypeMask = 0xF000;
    private const int TypeSocket = 0xC000;
    private const int TypeSymlink = 0xA000;
    private const int TypeRegular = 0x8000;
    private const int TypeBlockDevice = 0x6000;
    private const int TypeDirectory = 0x4000;
    private const int TypeCharacterDevice = 0x2000;
    private const int TypeFifo = 0x1000;

    /// <summary>Removes a stale socket at <paramref name="path"/>; throws when anything else is there.</summary>
    /// <param name="path">The socket path, absolute.</param>
    /// <param name="logger">Where the removal of a stale socket is logged.</param>
    /// <exception cref="IOException">Something other than a stale socket is at the path; the message names it and what it is.</exception>
    public static void Claim(string path, ILogger logger)
    {
        int type = FileType(path);
        if (type == 0)
        {
            return;
        }

        if (type != TypeSocket)
        {
            throw new IOException($"unix-command: {path} is {Describe(path, type)}; only a stale socket nobody listens on is replaced, so it is left as it is: remove it or set unix-command.filename to another path");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Non-blocking: a listener whose backlog is full would hold a blocking connect.
            probe.Blocking = false;
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new IOException($"unix-command: {path} is a live socket: another process answers on it; stop it or set unix-command.filename to another path");
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.AlreadyInProgress)
            {
                throw new IOException($"unix-command: {path} is a live socket: another process listens on it (its queue is full); stop it or set unix-command.filename to another path", exception);
            }
            catch (SocketException exception) when (exception.SocketErrorCode != SocketError.ConnectionRefused)
            {
                throw new IOException($"unix-command: cannot tell whether the socket {path} is in use: {exception.Message}", exception);
            }
            catch (SocketException)
            {
                // ECONNREFUSED: a socket file nobody listens on.
            }
        }

        File.Delete(path);
        ControlLog.RemovedStale(logger, path);
    }

    /// <summary>The file type bits of <paramref name="path"/> itself (a link is not followed), or 0 when nothing is there.</summary>
    private static unsafe int FileType(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, buffer) == 0)
        {
            return *(ushort*)(buffer + StatxModeOffset) & TypeMask;
        }

        int error = Marshal.GetLastPInvokeError();
        if (error is NoSuchEntry or NotADirectory)
        {
            return 0;
        }

        throw new IOException($"unix-command: cannot inspect {path}: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    private static string Describe(string path, int type) => type switch
    {
        TypeRegular => "a regular file",
        TypeDirectory => "a directory",
        TypeSymlink => $"a symbolic link (to {new FileInfo(path).LinkTarget})",
        TypeFifo => "a named pipe",
        TypeCharacterDevice => "a character device",
        TypeBlockDevice => "a block device",
        _ => $"a file of type 0{Convert.ToString(type, 8)}",
    };

    // statx's layout is the same on every architecture, unlike struct stat's.
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
