using System.Diagnostics;

namespace Capture.Pcap.Files;

/// <summary>
/// The read chunks of one capture source, allocated as first needed. A source with <c>B</c> batches
/// needs <c>B + 1</c>: when the window moves on, at most <c>B</c> chunks are held (one per batch,
/// the window's own among them) and the next is taken before the last is let go. A chunk longer than
/// the standard (a record larger than it) is made for the occasion and not kept.
/// </summary>
internal sealed class ReadChunkPool
{
    private readonly Stack<ReadChunk> _free = new();
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private int _created;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="chunkBytes">Bytes per chunk (the file is read this much at a time).</param>
    /// <param name="capacity">Chunks the pool's users need at most.</param>
    public ReadChunkPool(int chunkBytes, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ChunkBytes = chunkBytes;
        _capacity = capacity;
    }

    /// <summary>Bytes of a standard chunk.</summary>
    public int ChunkBytes { get; }

    /// <summary>Takes a chunk of at least <paramref name="minimumBytes"/>, with one reference (the caller's).</summary>
    /// <param name="minimumBytes">Bytes needed.</param>
    /// <returns>The chunk.</returns>
    public ReadChunk Rent(int minimumBytes)
    {
        ReadChunk chunk;
        if (minimumBytes > ChunkBytes)
        {
            chunk = new ReadChunk(null, minimumBytes);
        }
        else
        {
            lock (_gate)
            {
                if (!_free.TryPop(out chunk!))
                {
                    _created++;
                    Debug.Assert(_created <= _capacity, "more read chunks held at once than the batches allow");
                    chunk = new ReadChunk(this, ChunkBytes);
                }
            }
        }

        chunk.Acquire();
        return chunk;
    }

    /// <summary>Takes back a chunk nobody holds.</summary>
    /// <param name="chunk">A chunk of this pool.</param>
    public void Return(ReadChunk chunk)
    {
        lock (_gate)
        {
            _free.Push(chunk);
        }
    }
}
