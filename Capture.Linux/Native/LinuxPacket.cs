using System.Runtime.InteropServices;

namespace Capture.Linux.Native;

/// <summary>The libc calls and AF_PACKET constants the rings need (linux/if_packet.h, sys/socket.h).</summary>
internal static unsafe partial class LinuxPacket
{
    public const int AfPacket = 17;
    public const int SockRaw = 3;
    public const ushort EthPAll = 0x0003;
    public const int SolSocket = 1;
    public const int SoRcvBuf = 8;
    public const int SoError = 4;
    public const int SoAttachFilter = 26;
    public const int SolPacket = 263;
    public const int PacketAddMembership = 1;
    public const int PacketRxRing = 5;
    public const int PacketStatistics = 6;
    public const int PacketVersion = 10;
    public const int PacketFanout = 18;
    public const int TPacketV2 = 1;
    public const int TPacketV3 = 2;
    public const ushort PacketMrPromisc = 1;

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 1;
    public const int MapLocked = 0x2000;

    public const short PollIn = 0x001;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;
    public const short PollNval = 0x020;

    public const int EIntr = 4;
    public const int ENoDev = 19;
    public const int ENetDown = 100;

    /// <summary>ETH_P_ALL in network byte order, as socket() and sockaddr_ll want it.</summary>
    public const ushort EthPAllNetworkOrder = 0x0300;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* address, uint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint IfNameToIndex(string name);

    /// <summary>The text of an errno value, e.g. "No such device (19)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct tpacket_req (16 bytes): the TPACKET_V2 ring request.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketReq
    {
        public uint BlockSize;
        public uint BlockCount;
        public uint FrameSize;
        public uint FrameCount;
    }

    /// <summary>struct tpacket_req3 (28 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketReq3
    {
        public uint BlockSize;
        public uint BlockCount;
        public uint FrameSize;
        public uint FrameCount;
        public uint RetireBlockTimeoutMilliseconds;
        public uint PrivateSize;
        public uint FeatureRequestWord;
    }

    /// <summary>struct sockaddr_ll (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public ulong Address;
    }

    /// <summary>struct packet_mreq (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMreq
    {
        public int InterfaceIndex;
        public ushort Type;
        public ushort AddressLength;
        public ulong Address;
    }

    /// <summary>struct tpacket_stats_v3 (12 bytes): reset by every read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketStatsV3
    {
        public uint Packets;
        public uint Drops;
        public uint FreezeQueueCount;
    }

    /// <summary>struct sock_fprog: a classic BPF program for SO_ATTACH_FILTER.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public nint Filter;
    }
}
