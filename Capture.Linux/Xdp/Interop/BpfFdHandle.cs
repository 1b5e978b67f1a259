using System.Runtime.InteropServices;

namespace Capture.Linux.Xdp.Interop;

/// <summary>Owns one file descriptor of a BPF object (map, program, link); closes it once.</summary>
internal sealed class BpfFdHandle : SafeHandle
{
    internal BpfFdHandle(int fd)
        : base(new nint(-1), ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor; only valid while a reference is held (DangerousAddRef) or the owner is alive.</summary>
    internal int Fd => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle.ToInt64()) == 0;
}
