using System.Runtime.InteropServices;

namespace Capture.Linux.Xdp.Interop;

/// <summary>Owns a libbpf <c>struct bpf_object*</c> (its programs and the object's own map fds).</summary>
internal sealed class BpfObjectHandle : SafeHandle
{
    internal BpfObjectHandle(nint bpfObject)
        : base(nint.Zero, ownsHandle: true) => SetHandle(bpfObject);

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The raw pointer, for libbpf calls made by the owner.</summary>
    internal nint Pointer => handle;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Libbpf.ObjectClose(handle);
        return true;
    }
}
