using System.Net.Sockets;
using Capture.Hosting.Files;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Control;

/// <summary>
/// Makes the control socket's path free without destroying anything the server does not own: only
/// a socket nobody listens on (a previous run's, left by a crash) is removed. A regular file, a
/// directory, a symbolic link, a device or a live socket is left alone and the start fails naming it.
/// </summary>
internal static class ControlSocketFile
{
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
        if (!UnixFileStatus.TryReadExisting(path, out UnixFileStatus status))
        {
            return;
        }

        int type = status.Type;

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
}
