using System.Collections.Concurrent;
using System.Diagnostics;
using Capture.Abstractions;

namespace Capture.Pcap.Sources;

/// <summary>
/// A fixed set of batches, allocated once, handed out in sequence (1, 2, 3 ...). The engine
/// returns them in any order from any thread; the pool tracks the highest sequence up to which
/// every batch came back. The reader gets batch <c>n</c> only when every batch up to
/// <c>n - Capacity</c> came back: that is the back-pressure, and it bounds how far the reader
/// is ahead of the engine, which the software bypass builds on (see <see cref="PcapCaptureSource"/>).
/// </summary>
internal sealed class PcapBatchPool
{
    private readonly ConcurrentQueue<PcapBatch> _free = new();
    // A plain monitor, not System.Threading.Lock: the reader waits on it (Monitor.Wait).
    private readonly object _gate = new();
    private long _issued;
    private long _returnedThrough;
    private ulong _returnedAhead;
    private long _publishedThrough;
    private bool _readerActive;

    public PcapBatchPool(ICaptureSource source, int batches, int packetsPerBatch, int bytesPerBatch)
    {
        // The out-of-order returns are kept in a 64-bit mask.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batches, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        for (int i = 0; i < batches; i++)
        {
            _free.Enqueue(new PcapBatch(source, this, packetsPerBatch, bytesPerBatch));
        }

        Capacity = batches;
    }

    /// <summary>Number of batches.</summary>
    public int Capacity { get; }

    /// <summary>The highest sequence up to which every batch was returned.</summary>
    public long ReturnedThrough
    {
        get
        {
            lock (_gate)
            {
                return _returnedThrough;
            }
        }
    }

    /// <summary>
    /// Takes the next batch in sequence, waiting until every batch up to its sequence minus
    /// <see cref="Capacity"/> was returned.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (<see cref="WakeWaiters"/> must be registered on it).</param>
    /// <returns>An empty batch carrying its sequence.</returns>
    public PcapBatch Rent(CancellationToken cancellationToken)
    {
        long sequence;
        lock (_gate)
        {
            sequence = _issued + 1;
            while (_returnedThrough < sequence - Capacity)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _issued = sequence;
        }

        // Every batch up to sequence - Capacity is back, so at most Capacity - 1 are out.
        if (!_free.TryDequeue(out PcapBatch? batch))
        {
            throw new InvalidOperationException("the batch pool lost count of its batches");
        }

        batch.Sequence = sequence;
        return batch;
    }

    /// <summary>Gives a batch back.</summary>
    /// <param name="batch">An empty batch of this pool.</param>
    public void Return(PcapBatch batch)
    {
        long sequence = batch.Sequence;
        batch.Sequence = 0;
        _free.Enqueue(batch);
        lock (_gate)
        {
            Debug.Assert(sequence > _returnedThrough && sequence - _returnedThrough <= 64, "a batch came back twice or out of the pool's window");
            _returnedAhead |= 1UL << (int)(sequence - _returnedThrough - 1);
            bool moved = false;
            while ((_returnedAhead & 1) != 0)
            {
                _returnedAhead >>= 1;
                _returnedThrough++;
                moved = true;
            }

            if (moved)
            {
                Monitor.PulseAll(_gate);
            }
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

    /// <summary>Wakes a reader waiting in <see cref="Rent"/> so it sees its token cancelled.</summary>
    public void WakeWaiters()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
