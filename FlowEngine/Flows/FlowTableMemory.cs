using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>
/// One array of the flow table in native memory: zeroed, its first element on a 64-byte cache
/// line (so a 64-byte record is one line, not two as in a managed array whose data starts 16
/// bytes into an object), and on Linux backed by huge pages where the kernel allows them (a
/// random flow lookup in a table of tens of megabytes otherwise pays a TLB miss too). Freed once,
/// by its one owner or its finalizer.
/// </summary>
internal sealed unsafe partial class FlowTableMemory : SafeHandle
{
    private const nuint CacheLine = 64;
    private const nuint HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    /// <summary>Allocates and zeroes <paramref name="bytes"/> bytes.</summary>
    /// <exception cref="OutOfMemoryException">The memory is not available.</exception>
    public FlowTableMemory(nuint bytes)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Bytes = Math.Max(bytes, CacheLine);

        // Blocks of a huge page or more start on one so that every one of their pages can be huge.
        nuint alignment = Bytes >= HugePage ? HugePage : CacheLine;
        void* block = NativeMemory.AlignedAlloc(Bytes, alignment);
        SetHandle((IntPtr)block);
        if (alignment == HugePage && OperatingSystem.IsLinux())
        {
            // Advice only (transparent huge pages may be off); given before the first touch so
            // that the clearing below faults huge pages in directly.
            _ = Madvise(block, Bytes, MadviseHugePage);
        }

        // Touching every page now also keeps page faults out of the packet path.
        NativeMemory.Clear(block, Bytes);
        GC.AddMemoryPressure((long)Bytes);
    }

    /// <summary>Size of the block.</summary>
    public nuint Bytes { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        GC.RemoveMemoryPressure((long)Bytes);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
