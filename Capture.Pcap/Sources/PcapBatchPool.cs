using System.Collections.Concurrent;
using System.Diagnostics;
using Capture.Abstractions;
using Capture.Pcap.Bypass;

namespace Capture.Pcap.Sources;

/// <summary>
/// A fixed set of batches, allocated once, handed out in sequence (1, 2, 3 ...). The reader rents
/// (waiting when the engine holds them all: that is the back-pressure), the engine returns them in
/// any order from any thread. The engine works through batches in sequence (every worker gets a
/// part of every batch), so while it holds batch <c>B</c> the reader cannot have started batch
/// <c>B + Capacity</c>: the software bypass builds on that (see <see cref="SoftwareBypassStrategy"/>).
/// </summary>
internal sealed class PcapBatchPool
{
    private readonly ConcurrentQueue<PcapBatch> _free = new();
    private readonly PcapBatch[] _all;
    private readonly SemaphoreSlim _available;

    // A plain monitor, not System.Threading.Lock: callers wait on it (Monitor.Wait).
    private readonly object _gate = new();
    private long _issued;
    private long _publishedThrough;
    private bool _readerActive;
    private bool _actsAtDefinedBatch = true;

    public PcapBatchPool(ICaptureSource source, int batches, int packetsPerBatch, int bytesPerBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        _all = new PcapBatch[batches];
        for (int i = 0; i < batches; i++)
        {
            _all[i] = new PcapBatch(source, this, packetsPerBatch, bytesPerBatch);
            _free.Enqueue(_all[i]);
        }

        _available = new SemaphoreSlim(batches, batches);
        Capacity = batches;
    }

    /// <summary>Number of batches.</summary>
    public int Capacity { get; }

    /// <summary>Takes a free batch, waiting for one, and gives it the next sequence.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>An empty batch.</returns>
    public PcapBatch Rent(CancellationToken cancellationToken)
    {
        _available.Wait(cancellationToken);
        if (!_free.TryDequeue(out PcapBatch? batch))
        {
            throw new InvalidOperationException("the batch pool lost count of its batches");
        }

        lock (_gate)
        {
            batch.Sequence = ++_issued;
        }

        return batch;
    }

    /// <summary>Gives a batch back.</summary>
    /// <param name="batch">An empty batch of this pool.</param>
    public void Return(PcapBatch batch)
    {
        lock (_gate)
        {
            batch.Sequence = 0;
        }

        _free.Enqueue(batch);
        _available.Release();
    }

    /// <summary>
    /// Whether bypass calls act at a defined batch (see <see cref="SoftwareBypassStrategy"/>): true
    /// for regular files; a pipe turns it off for good, as its reads wait for a writer and a caller
    /// must not wait for them.
    /// </summary>
    public bool ActsAtDefinedBatch
    {
        get => Volatile.Read(ref _actsAtDefinedBatch);
        set => Volatile.Write(ref _actsAtDefinedBatch, value);
    }

    /// <summary>Whether batch <paramref name="sequence"/> was handed out and not yet returned.</summary>
    /// <param name="sequence">A batch sequence.</param>
    /// <returns>True while the reader or the engine holds it.</returns>
    public bool IsOutstanding(long sequence)
    {
        lock (_gate)
        {
            foreach (PcapBatch batch in _all)
            {
                if (batch.Sequence == sequence)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The reader started (true) or ended, however (false): only a running reader is waited for.</summary>
    /// <param name="active">Whether it runs.</param>
    public void SetReaderActive(bool active)
    {
        lock (_gate)
        {
            _readerActive = active;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The reader handed batch <paramref name="sequence"/> to the engine: it decides no more packets up to it.</summary>
    /// <param name="sequence">The batch's sequence.</param>
    public void Published(long sequence)
    {
        lock (_gate)
        {
            Debug.Assert(sequence > _publishedThrough, "batches are published in sequence");
            _publishedThrough = sequence;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Waits until the reader has decided every packet up to the end of batch <paramref name="sequence"/>
    /// (it published that batch), or it does not run.
    /// </summary>
    /// <param name="sequence">The batch's sequence.</param>
    public void WaitForPublished(long sequence)
    {
        lock (_gate)
        {
            while (_readerActive && _publishedThrough < sequence)
            {
                Monitor.Wait(_gate);
            }
        }
    }
}
