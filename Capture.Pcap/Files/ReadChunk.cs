using System.Diagnostics;

namespace Capture.Pcap.Files;

/// <summary>
/// One buffer the file is read into. Batches point into it instead of copying their packets, so it
/// is counted: the reader's window holds one reference, each batch with packets in it one more, and
/// it goes back to its pool when the last is released. Bytes below the window's end are never
/// written while anyone else holds it.
/// </summary>
internal sealed class ReadChunk
{
    private readonly ReadChunkPool? _pool;
    private int _references;

    public ReadChunk(ReadChunkPool? pool, int length)
    {
        _pool = pool;
        Bytes = GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>The buffer.</summary>
    public byte[] Bytes { get; }

    /// <summary>Whether the caller's reference is the only one (the window may then move bytes in place).</summary>
    public bool IsExclusive => Volatile.Read(ref _references) == 1;

    /// <summary>Takes the first reference (the pool hands chunks out with none).</summary>
    public void Acquire()
    {
        int references = Interlocked.Increment(ref _references);
        Debug.Assert(references >= 1, "a chunk is referenced after its release");
    }

    /// <summary>Gives a reference back; the last one returns the chunk to its pool.</summary>
    public void Release()
    {
        int references = Interlocked.Decrement(ref _references);
        Debug.Assert(references >= 0, "a chunk was released more often than acquired");
        if (references == 0)
        {
            _pool?.Return(this);
        }
    }
}
