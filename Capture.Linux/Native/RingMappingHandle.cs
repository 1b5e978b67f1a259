using System.Runtime.InteropServices;

namespace Capture.Linux.Native;

/// <summary>Owns the mmap'd receive ring of a packet socket (unmapped on release).</summary>
internal sealed class RingMappingHandle : SafeHandle
{
    public RingMappingHandle(nint address, nuint length)
        : base(nint.Zero, ownsHandle: true)
    {
        Length = length;
        SetHandle(address);
    }

    public override bool IsInvalid => handle == nint.Zero || handle == new nint(-1);

    /// <summary>Bytes mapped.</summary>
    public nuint Length { get; }

    /// <summary>Start of the mapping.</summary>
    public nint Address => handle;

    protected override bool ReleaseHandle() => LinuxPacket.Munmap(handle, Length) == 0;
}
