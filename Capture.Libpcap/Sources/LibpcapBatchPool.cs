using System.Collections.Concurrent;
using Capture.Abstractions;

namespace Capture.Libpcap.Sources;

/// <summary>
/// A fixed set of batches, allocated once. The reader rents (waiting while the engine holds them
/// all: then libpcap's ring fills and the kernel counts drops, as on any live capture); the engine
/// returns them from any thread.
/// </summary>
internal sealed class LibpcapBatchPool
{
    private readonly ConcurrentQueue<LibpcapBatch> _free = new();
    // Never disposed: the engine may return batches after the source is gone.
    private readonly SemaphoreSlim _available;

    public LibpcapBatchPool(ICaptureSource source, int batches, int packetsPerBatch, int bytesPerBatch)
    {
        Source = source;
        for (int i = 0; i < batches; i++)
        {
            _free.Enqueue(new LibpcapBatch(this, packetsPerBatch, bytesPerBatch));
        }

        _available = new SemaphoreSlim(batches, batches);
    }

    /// <summary>The source the batches belong to.</summary>
    public ICaptureSource Source { get; }

    /// <summary>Takes a free batch, waiting up to <paramref name="timeout"/> for the engine to release one.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="batch">The batch, empty.</param>
    /// <returns>False when none came free in time.</returns>
    public bool TryRent(TimeSpan timeout, out LibpcapBatch batch)
    {
        if (!_available.Wait(timeout))
        {
            batch = null!;
            return false;
        }

        bool taken = _free.TryDequeue(out LibpcapBatch? free);
        System.Diagnostics.Debug.Assert(taken, "the semaphore counts the free batches");
        batch = free!;
        return true;
    }

    /// <summary>Gives a batch back (any thread).</summary>
    /// <param name="batch">An empty batch of this pool.</param>
    public void Return(LibpcapBatch batch)
    {
        _free.Enqueue(batch);
        _available.Release();
    }
}
