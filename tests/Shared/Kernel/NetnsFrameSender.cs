// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: sending crafted frames from inside a namespace.
//
// A dedicated thread enters the namespace with setns(CLONE_NEWNET) (a per-thread attribute, so the
// rest of the test process stays in the default namespace), opens an AF_PACKET SOCK_RAW socket
// there and sendto()s each frame on the given interface. Sends are paced in small bursts so the
// receiving veth's backlog (netdev_max_backlog) or XDP ring never overflows: what is sent arrives.
using System.Runtime.InteropServices;

namespace Capture.Tests.Kernel;

/// <summary>Sends raw Ethernet frames on an interface inside a network namespace.</summary>
/// <param name="namespaceName">The namespace (as in /run/netns).</param>
/// <param name="interfaceName">The interface inside it.</param>
public sealed unsafe class NetnsFrameSender(string namespaceName, string interfaceName)
{
    /// <summary>Frames per burst before a short pause.</summary>
    public int BurstSize { get; set; } = 32;

    /// <summary>The pause between bursts.</summary>
    public TimeSpan BurstPause { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Sends every frame once, in order; returns when all are sent. Throws if any send fails.</summary>
    /// <param name="frames">Complete Ethernet frames.</param>
    public void Send(IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        Exception? failure = null;
        Thread thread = new(() =>
        {
            try
            {
                SendInNamespace(frames);
            }
#pragma warning disable CA1031 // reported to the calling test
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failure = exception;
            }
        })
        {
            IsBackground = true,
            Name = "netns-sender " + namespaceName,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"sending {frames.Count} frames from namespace {namespaceName} on {interfaceName} failed: {failure.Message}", failure);
        }
    }

    /// <summary>Sends <paramref name="frames"/> <paramref name="times"/> times over (round-robin).</summary>
    /// <param name="frames">The frames.</param>
    /// <param name="times">How many rounds.</param>
    public void SendRounds(IReadOnlyList<byte[]> frames, int times)
    {
        ArgumentNullException.ThrowIfNull(frames);
        List<byte[]> all = new(frames.Count * times);
        for (int i = 0; i < times; i++)
        {
            all.AddRange(frames);
        }

        Send(all);
    }

    private void SendInNamespace(IReadOnlyList<byte[]> frames)
    {
        int netns = KernelNative.Open($"/run/netns/{namespaceName}", 0x80000 /* O_RDONLY | O_CLOEXEC */);
        if (netns < 0)
        {
            throw new InvalidOperationException($"opening /run/netns/{namespaceName}: {KernelNative.LastErrorText()}");
        }

        try
        {
            if (KernelNative.SetNs(netns, KernelNative.CLONE_NEWNET) != 0)
            {
                throw new InvalidOperationException($"setns into {namespaceName}: {KernelNative.LastErrorText()}");
            }
        }
        finally
        {
            KernelNative.Close(netns);
        }

        int ifindex = (int)KernelNative.IfNameToIndex(interfaceName);
        if (ifindex == 0)
        {
            throw new InvalidOperationException($"no interface {interfaceName} in namespace {namespaceName}: {KernelNative.LastErrorText()}");
        }

        int fd = KernelNative.Socket(KernelNative.AF_PACKET, KernelNative.SOCK_RAW, 0);
        if (fd < 0)
        {
            throw new InvalidOperationException($"AF_PACKET socket in {namespaceName}: {KernelNative.LastErrorText()}");
        }

        try
        {
            int size = 4 << 20;
            KernelNative.SetSockOpt(fd, KernelNative.SOL_SOCKET, KernelNative.SO_SNDBUFFORCE, &size, sizeof(int));
            KernelNative.SockaddrLl address = new()
            {
                Family = KernelNative.AF_PACKET,
                Protocol = 0,
                IfIndex = ifindex,
                HaLen = 6,
            };
            for (int i = 0; i < frames.Count; i++)
            {
                byte[] frame = frames[i];
                fixed (byte* data = frame)
                {
                    while (true)
                    {
                        nint sent = KernelNative.SendTo(fd, data, (nuint)frame.Length, 0, &address, sizeof(KernelNative.SockaddrLl));
                        if (sent == frame.Length)
                        {
                            break;
                        }

                        int errno = Marshal.GetLastPInvokeError();
                        if (sent < 0 && (errno == KernelNative.ENOBUFS || errno == KernelNative.EAGAIN))
                        {
                            Thread.Sleep(1);
                            continue;
                        }

                        throw new InvalidOperationException($"sendto frame {i} ({frame.Length} bytes): {KernelNative.LastErrorText()}");
                    }
                }

                if ((i + 1) % BurstSize == 0)
                {
                    Thread.Sleep(BurstPause);
                }
            }
        }
        finally
        {
            KernelNative.Close(fd);
        }
    }
}
