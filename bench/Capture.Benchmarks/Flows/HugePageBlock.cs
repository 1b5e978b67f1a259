using System.Runtime.InteropServices;

namespace Capture.Benchmarks.Flows;

/// <summary>
/// Native memory for the generated capture's blocks, aligned to a 2 MiB huge page and advised to
/// use huge pages where the system has them: laid out as a large AF_PACKET ring or the engine's own
/// flow table memory, so that reading the capture pays what a ring pays, not a heap array's TLB misses.
/// </summary>
internal sealed unsafe partial class HugePageBlock : IDisposable
{
    private const nuint HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    private void* _start;

    public HugePageBlock(nuint bytes)
    {
        Length = (bytes + HugePage - 1) & ~(HugePage - 1);
        _start = NativeMemory.AlignedAlloc(Length, HugePage);
        if (OperatingSystem.IsLinux())
        {
            // Advice only: transparent huge pages may be off.
            _ = Madvise(_start, Length, MadviseHugePage);
        }
    }

    public nuint Length { get; }

    public byte* Start => _start != null ? (byte*)_start : throw new ObjectDisposedException(nameof(HugePageBlock));

    public void Dispose()
    {
        if (_start != null)
        {
            NativeMemory.AlignedFree(_start);
            _start = null;
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
