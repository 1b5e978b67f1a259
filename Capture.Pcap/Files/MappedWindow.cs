using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace Capture.Pcap.Files;

/// <summary>
/// A read-only view of part of a capture file, mapped into memory. Batches point into it instead of
/// copying packets; each batch holding packets of the window takes a reference (<see cref="AddRef"/>),
/// so the view is unmapped only when the reader has moved on (<see cref="Dispose"/>) and the last
/// batch is released. The view's <see cref="Microsoft.Win32.SafeHandles.SafeMemoryMappedViewHandle"/> is its one owner.
/// </summary>
/// <remarks>
/// A file truncated by another process while mapped makes reads of the lost pages fault (SIGBUS);
/// capture files being rotated are renamed or deleted, not truncated in place.
/// </remarks>
internal sealed unsafe class MappedWindow : IDisposable
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private bool _disposed;

    public MappedWindow(MemoryMappedFile file, long fileOffset, int length)
    {
        Debug.Assert(length > 0, "an empty window is never mapped");
        _view = file.CreateViewAccessor(fileOffset, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + _view.PointerOffset;
        FileOffset = fileOffset;
        Length = length;
    }

    /// <summary>The file offset of the window's first byte.</summary>
    public long FileOffset { get; }

    /// <summary>Bytes in the window.</summary>
    public int Length { get; }

    /// <summary>The window's bytes; valid while the caller holds the window or a reference to it.</summary>
    public ReadOnlySpan<byte> Span => new(_start, Length);

    /// <summary>Whether <paramref name="data"/> lies in this window.</summary>
    /// <param name="data">A span handed out by the reader.</param>
    /// <param name="offset">Its offset from the window's start.</param>
    /// <returns>True when it does.</returns>
    public bool Contains(ReadOnlySpan<byte> data, out int offset)
    {
        fixed (byte* p = data)
        {
            long distance = p - _start;
            offset = (int)distance;
            return distance >= 0 && distance + data.Length <= Length;
        }
    }

    /// <summary>Keeps the view mapped for a batch until <see cref="ReleaseRef"/>.</summary>
    public void AddRef()
    {
        bool added = false;
        _view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
        Debug.Assert(added, "the handle is alive while the reader holds the window");
    }

    /// <summary>Drops a batch's reference; the last one after <see cref="Dispose"/> unmaps the view.</summary>
    public void ReleaseRef() => _view.SafeMemoryMappedViewHandle.DangerousRelease();

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
    }
}
