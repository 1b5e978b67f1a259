using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>
/// One array of the flow table in native memory: address space reserved up front for the most it
/// may hold, committed as it grows, zero until written. Its first element is on a 64-byte cache
/// line (so a 64-byte record is one line, not two as in a managed array whose data starts 16 bytes
/// into an object), and on Linux a reservation of a huge page or more starts on one and is advised
/// to use them (a random flow lookup in a table of tens of megabytes otherwise pays a TLB miss too).
/// On Linux the reservation is an inaccessible mapping that costs no memory until committed; other
/// systems get the whole block at once. Freed once, by its one owner or its finalizer. The GC is
/// not told of the memory (no memory pressure): the owner frees it, so a collection can free none
/// of it, and the pressure of a growing table induced a background gen2 collection at every growth.
/// </summary>
internal sealed unsafe partial class FlowTableMemory : SafeHandle
{
    private const nuint CacheLine = 64;
    private const nuint Page = 4096;
    private const nuint HugePage = 2 << 20;
    private const int MadviseHugePage = 14;
    private const int ProtNone = 0;
    private const int ProtReadWrite = 3;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MapNoReserve = 0x4000;

    private readonly void* _map;
    private readonly nuint _mapLength;

    /// <summary>Allocates <paramref name="bytes"/> bytes, committed and zeroed at once.</summary>
    /// <exception cref="OutOfMemoryException">The memory is not available.</exception>
    public FlowTableMemory(nuint bytes)
        : this(bytes, bytes)
    {
    }

    /// <summary>
    /// Reserves <paramref name="reserveBytes"/> bytes and commits the first <paramref name="commitBytes"/>,
    /// touching them now so that their page faults happen here rather than on the packet path.
    /// </summary>
    /// <exception cref="OutOfMemoryException">The address space or the committed memory is not available.</exception>
    public FlowTableMemory(nuint reserveBytes, nuint commitBytes)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Reserved = RoundUp(Math.Max(reserveBytes, CacheLine), Page);
        if (!OperatingSystem.IsLinux())
        {
            void* block = NativeMemory.AlignedAlloc(Reserved, CacheLine);
            NativeMemory.Clear(block, Reserved);
            SetHandle((IntPtr)block);
            Committed = Reserved;
            return;
        }

        // Blocks of a huge page or more start on one so that every one of their pages can be huge.
        nuint alignment = Reserved >= HugePage ? HugePage : Page;
        _mapLength = Reserved + (alignment - Page);
        _map = Mmap(null, _mapLength, ProtNone, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        if (_map == (void*)-1)
        {
            _map = null;
#pragma warning disable MA0012 // What NativeMemory throws when memory is not available; callers handle one type.
            throw new OutOfMemoryException($"cannot reserve {Reserved} bytes of address space for the flow table (errno {Marshal.GetLastPInvokeError()})");
#pragma warning restore MA0012
        }

        nuint start = ((nuint)_map + alignment - 1) & ~(alignment - 1);
        SetHandle((IntPtr)start);
        if (alignment == HugePage)
        {
            // Advice only (transparent huge pages may be off); it applies to what is committed later too.
            _ = Madvise((void*)start, Reserved, MadviseHugePage);
        }

        if (!Commit(commitBytes))
        {
#pragma warning disable MA0012 // As above.
            throw new OutOfMemoryException($"cannot commit {commitBytes} bytes for the flow table (errno {Marshal.GetLastPInvokeError()})");
#pragma warning restore MA0012
        }

        NativeMemory.Clear((void*)start, Math.Min(commitBytes, Committed));
    }

    /// <summary>Address space held: the most the block can grow to.</summary>
    public nuint Reserved { get; }

    /// <summary>Bytes usable from the start of the block (at least what was asked of <see cref="Commit"/>).</summary>
    public nuint Committed { get; private set; }

    /// <summary>Size of the usable block (<see cref="Committed"/>).</summary>
    public nuint Bytes => Committed;

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>
    /// Makes the first <paramref name="bytes"/> bytes usable (they read as zero until written; their
    /// pages are faulted in at first touch). False when the system refuses the memory.
    /// </summary>
    public bool Commit(nuint bytes)
    {
        if (bytes <= Committed)
        {
            return true;
        }

        if (bytes > Reserved)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"beyond the {Reserved} bytes reserved");
        }

        // Past a huge page, whole huge pages: a partly committed one would be split into small pages.
        nuint target = Math.Min(Reserved, RoundUp(bytes, bytes >= HugePage ? HugePage : Page));
        if (Mprotect((byte*)handle + Committed, target - Committed, ProtReadWrite) != 0)
        {
            return false;
        }

        Committed = target;
        return true;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_map != null)
        {
            _ = Munmap(_map, _mapLength);
        }
        else
        {
            NativeMemory.AlignedFree((void*)handle);
        }

        return true;
    }

    private static nuint RoundUp(nuint value, nuint unit) => (value + unit - 1) & ~(unit - 1);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(void* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
