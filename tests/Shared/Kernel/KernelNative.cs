// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: the libc calls the fixtures need (setns, AF_PACKET
// sockets, if_nametoindex, mount). Self-contained on purpose: the fixtures depend on no production code.
using System.Runtime.InteropServices;

namespace Capture.Tests.Kernel;

/// <summary>libc calls used by the kernel test fixtures.</summary>
internal static unsafe partial class KernelNative
{
    internal const int AF_PACKET = 17;
    internal const int SOCK_RAW = 3;
    internal const int SOL_SOCKET = 1;
    internal const int SO_RCVBUFFORCE = 33;
    internal const int SO_SNDBUFFORCE = 32;
    internal const int CLONE_NEWNET = 0x40000000;
    internal const int MSG_DONTWAIT = 0x40;
    internal const ushort ETH_P_ALL = 0x0003;
    internal const byte PACKET_OUTGOING = 4;
    internal const int EAGAIN = 11;
    internal const int ENOBUFS = 105;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, void* address, int length);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, int addressLength);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    internal static partial nint RecvFrom(int fd, void* buffer, nuint length, int flags, void* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mount(string source, string target, string fileSystemType, nuint flags, void* data);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial uint IfNameToIndex(string name);

    /// <summary>htons.</summary>
    internal static ushort HostToNetwork(ushort value) => (ushort)((value << 8) | (value >> 8));

    /// <summary>The text of the last errno.</summary>
    internal static string LastErrorText() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()) + $" (errno {Marshal.GetLastPInvokeError()})";

    /// <summary>struct sockaddr_ll (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Address;
    }
}
