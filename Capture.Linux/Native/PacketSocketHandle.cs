using System.Runtime.InteropServices;

namespace Capture.Linux.Native;

/// <summary>Owns an AF_PACKET socket descriptor; closing it leaves the fanout group and drops promiscuous membership.</summary>
internal sealed class PacketSocketHandle : SafeHandle
{
    public PacketSocketHandle(int fd)
        : base(new nint(-1), ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor, for calls made while the handle is known to be open.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => LinuxPacket.Close((int)handle.ToInt64()) == 0;
}
