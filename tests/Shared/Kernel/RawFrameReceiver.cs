// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: counting what arrives on an interface of the
// default namespace with an AF_PACKET socket. AF_PACKET taps run after XDP, so a frame XDP
// dropped is never seen here; frames the host itself sends (PACKET_OUTGOING) are ignored.
using System.Runtime.InteropServices;

namespace Capture.Tests.Kernel;

/// <summary>An AF_PACKET receive socket bound to one interface; open it before sending.</summary>
public sealed unsafe class RawFrameReceiver : IDisposable
{
    private int _fd;

    /// <summary>Opens the socket (16 MiB receive buffer so a test's frames all fit).</summary>
    /// <param name="interfaceName">The interface in the current (default) namespace.</param>
    public RawFrameReceiver(string interfaceName)
    {
        int ifindex = (int)KernelNative.IfNameToIndex(interfaceName);
        if (ifindex == 0)
        {
            throw new InvalidOperationException($"no interface {interfaceName}: {KernelNative.LastErrorText()}");
        }

        _fd = KernelNative.Socket(KernelNative.AF_PACKET, KernelNative.SOCK_RAW, KernelNative.HostToNetwork(KernelNative.ETH_P_ALL));
        if (_fd < 0)
        {
            throw new InvalidOperationException($"AF_PACKET socket: {KernelNative.LastErrorText()}");
        }

        int size = 16 << 20;
        KernelNative.SetSockOpt(_fd, KernelNative.SOL_SOCKET, KernelNative.SO_RCVBUFFORCE, &size, sizeof(int));
        KernelNative.SockaddrLl address = new()
        {
            Family = KernelNative.AF_PACKET,
            Protocol = KernelNative.HostToNetwork(KernelNative.ETH_P_ALL),
            IfIndex = ifindex,
        };
        if (KernelNative.Bind(_fd, &address, sizeof(KernelNative.SockaddrLl)) != 0)
        {
            string error = KernelNative.LastErrorText();
            KernelNative.Close(_fd);
            throw new InvalidOperationException($"binding AF_PACKET socket to {interfaceName}: {error}");
        }
    }

    /// <summary>Reads every incoming frame until none arrived for <paramref name="quiet"/>.</summary>
    /// <param name="quiet">How long the interface must be quiet to stop.</param>
    /// <returns>The frames (copies).</returns>
    public List<byte[]> Drain(TimeSpan quiet)
    {
        List<byte[]> frames = [];
        byte[] buffer = new byte[65536];
        DateTime lastFrame = DateTime.UtcNow;
        while (DateTime.UtcNow - lastFrame < quiet)
        {
            KernelNative.SockaddrLl from = default;
            int fromLength = sizeof(KernelNative.SockaddrLl);
            nint n;
            fixed (byte* data = buffer)
            {
                n = KernelNative.RecvFrom(_fd, data, (nuint)buffer.Length, KernelNative.MSG_DONTWAIT, &from, &fromLength);
            }

            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != KernelNative.EAGAIN)
                {
                    throw new InvalidOperationException($"recvfrom: {KernelNative.LastErrorText()}");
                }

                Thread.Sleep(2);
                continue;
            }

            lastFrame = DateTime.UtcNow;
            if (from.PktType != KernelNative.PACKET_OUTGOING)
            {
                frames.Add(buffer.AsSpan(0, (int)n).ToArray());
            }
        }

        return frames;
    }

    /// <summary>Counts incoming frames per (protocol, source port, destination port) until quiet.</summary>
    /// <param name="quiet">How long the interface must be quiet to stop.</param>
    /// <returns>Counts by flow direction.</returns>
    public Dictionary<(byte Protocol, ushort SourcePort, ushort DestinationPort), int> CountByPorts(TimeSpan quiet)
    {
        Dictionary<(byte, ushort, ushort), int> counts = [];
        foreach (byte[] frame in Drain(quiet))
        {
            if (FrameInfo.TryParse(frame, out FrameInfo info) && info.Protocol is 6 or 17)
            {
                (byte, ushort, ushort) key = (info.Protocol, info.SourcePort, info.DestinationPort);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            KernelNative.Close(fd);
        }
    }
}
