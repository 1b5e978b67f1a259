using System.Net.Sockets;
using System.Text;

namespace Capture.Bypass.Bench;

/// <summary>
/// A NOTIFY_SOCKET for the host: it sends READY=1 once its capture sources run (the same signal a
/// systemd Type=notify unit waits for), so the traffic starts when the capture is up and not before.
/// </summary>
internal sealed class ReadyListener : IDisposable
{
    private readonly Socket _socket;
    private readonly string _directory;

    public ReadyListener()
    {
        _directory = Directory.CreateTempSubdirectory("bypass-bench-notify-").FullName;
        Path = System.IO.Path.Combine(_directory, "notify.socket");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>Waits for READY=1; false after <paramref name="timeout"/> or when <paramref name="gaveUp"/> says so.</summary>
    public bool WaitReady(TimeSpan timeout, Func<bool> gaveUp)
    {
        byte[] buffer = new byte[4096];
        DateTime deadline = DateTime.UtcNow + timeout;
        _socket.ReceiveTimeout = 100;
        while (DateTime.UtcNow < deadline && !gaveUp())
        {
            try
            {
                int received = _socket.Receive(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, received).Split('\n').Contains("READY=1"))
                {
                    return true;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }

        return false;
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
