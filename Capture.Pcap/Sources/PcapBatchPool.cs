using System.Collections.Concurrent;
using Capture.Abstractions;

namespace Capture.Pcap.Sources;

/// <summary>
/// A fixed set of batches, allocated once. The reader rents (waiting when the engine holds them
/// all: that is the back-pressure), the engine returns them in any order from any thread.
/// </summary>
internal sealed class PcapBatchPool
{
    private readonly ConcurrentQueue<PcapBatch> _free = new();
    private readonly SemaphoreSlim _available;

    public PcapBatchPool(ICaptureSource source, int batches, int packetsPerBatch, int bytesPerBatch)
    {
        for (int i = 0; i < batches; i++)
        {
            _free.Enqueue(new PcapBatch(source, this, packetsPerBatch, bytesPerBatch));
        }

        _available = new SemaphoreSlim(batches, batches);
        Capacity = batches;
    }

    /// <summary>Number of batches.</summary>
    public int Capacity { get; }

    /// <summary>Takes a free batch, waiting for one.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>An empty batch.</returns>
    public PcapBatch Rent(CancellationToken cancellationToken)
    {
        _available.Wait(cancellationToken);
        if (!_free.TryDequeue(out PcapBatch? batch))
        {
            throw new InvalidOperationException("the batch pool lost count of its batches");
        }

        return batch;
    }

    /// <summary>Gives a batch back.</summary>
    /// <param name="batch">An empty batch of this pool.</param>
    public void Return(PcapBatch batch)
    {
        _free.Enqueue(batch);
        _available.Release();
    }
}
