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

    // A plain monitor, not System.Threading.Lock: callers wait on it (Monitor.Wait).
    private readonly object _gate = new();

    // Copy buffers of emptied batches. A batch copies its packets only where the reader moves on to
    // another read buffer, and gives the copy back when it is emptied, so a few serve every batch
    // (one each, allocated at its first copy, was a large-object allocation and first touch per batch).
    private readonly Stack<byte[]> _copyBuffers;
    private readonly Lock _copyGate = new();
    private readonly int _wakeAtFree;
    private int _freeCount;
    private int _renterWaiting;
    private long _issued;
    private long _publishedThrough;
    private bool _readerActive;
    private bool _actsAtDefinedBatch = true;

    // Set when the engine's worker reads the capture on its own thread: called instead of waiting.
    private Action? _processOldest;

    public PcapBatchPool(ICaptureSource source, int batches, int packetsPerBatch, int bytesPerBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        _all = new PcapBatch[batches];
        _copyBuffers = new Stack<byte[]>(batches);
        for (int i = 0; i < batches; i++)
        {
            _all[i] = new PcapBatch(source, this, packetsPerBatch, bytesPerBatch);
            _free.Enqueue(_all[i]);
        }

        _freeCount = batches;

        // A sleeping reader is woken when all batches but one are free: one wake-up for several
        // batches while the worker still has one (woken at two free, it slept and woke about twice as often).
        _wakeAtFree = Math.Max(1, batches - 1);
        Capacity = batches;
    }

    /// <summary>Number of batches.</summary>
    public int Capacity { get; }

    /// <summary>Takes a free batch, waiting for one, and gives it the next sequence.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>An empty batch.</returns>
    public PcapBatch Rent(CancellationToken cancellationToken)
    {
        WaitForFree(cancellationToken);
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
        Debug.Assert(Volatile.Read(ref _freeCount) < _all.Length, "a batch was returned twice");
        if (Interlocked.Increment(ref _freeCount) >= _wakeAtFree && Volatile.Read(ref _renterWaiting) != 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Copy buffers made so far (each is lent to one batch at a time).</summary>
    public int CopyBuffersMade { get; private set; }

    /// <summary>Lends a batch a buffer of at least <paramref name="bytes"/> bytes to copy its packets into (reader thread).</summary>
    /// <param name="bytes">The batch's room.</param>
    /// <returns>A buffer no other batch holds.</returns>
    public byte[] TakeCopyBuffer(int bytes)
    {
        lock (_copyGate)
        {
            if (_copyBuffers.TryPop(out byte[]? spare))
            {
                Debug.Assert(spare.Length >= bytes, "the pool's batches have one room");
                return spare;
            }

            CopyBuffersMade++;
        }

        return GC.AllocateUninitializedArray<byte>(bytes);
    }

    /// <summary>Takes back the copy buffer of an emptied batch (any thread): nothing refers to its bytes any more.</summary>
    /// <param name="buffer">A buffer from <see cref="TakeCopyBuffer"/>.</param>
    public void ReturnCopyBuffer(byte[] buffer)
    {
        lock (_copyGate)
        {
            _copyBuffers.Push(buffer);
        }
    }

    /// <summary>Wakes a <see cref="Rent"/> waiting for a batch, so it sees its token cancelled.</summary>
    public void WakeWaiters()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Has <see cref="Rent"/> call <paramref name="processOldest"/> (the engine processing and
    /// releasing the oldest batch out, on this thread) instead of waiting; null to wait again.
    /// </summary>
    /// <param name="processOldest">The engine's callback, or null.</param>
    public void ProcessInsteadOfWaiting(Action? processOldest) => _processOldest = processOldest;

    private void WaitForFree(CancellationToken cancellationToken)
    {
        if (_processOldest is { } processOldest)
        {
            TakeFreeProcessing(processOldest, cancellationToken);
            return;
        }

        // A short spin without yielding, then sleep until the pool is nearly full again or a
        // millisecond passed with a batch free. The reader fills a batch faster than the worker
        // empties one, so it waits for nearly every batch: the semaphore used before spun (sched_yield
        // included) through each wait, and on an idle core that spin was most of the reader's CPU.
        var spin = default(SpinWait);
        while (!TryTakeFree())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!spin.NextSpinWillYield)
            {
                spin.SpinOnce();
                continue;
            }

            lock (_gate)
            {
                Interlocked.Exchange(ref _renterWaiting, 1);
                while (Volatile.Read(ref _freeCount) < _wakeAtFree && !cancellationToken.IsCancellationRequested)
                {
                    if (!Monitor.Wait(_gate, 1) && Volatile.Read(ref _freeCount) > 0)
                    {
                        break;
                    }
                }

                Volatile.Write(ref _renterWaiting, 0);
            }
        }
    }

    /// <summary>
    /// One thread reads and processes: every batch out is in the channel, published, so the engine
    /// can always take one, and while it holds batch <c>B</c> the reader has published up to
    /// <c>B + Capacity - 1</c>, which is what the bypass's waits for the reader ask.
    /// </summary>
    private void TakeFreeProcessing(Action processOldest, CancellationToken cancellationToken)
    {
        while (!TryTakeFree())
        {
            cancellationToken.ThrowIfCancellationRequested();
            processOldest();
            if (Volatile.Read(ref _freeCount) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException("the engine released no batch while every batch was out");
            }
        }
    }

    /// <summary>Counts one free batch as taken; false when none is free.</summary>
    private bool TryTakeFree()
    {
        while (true)
        {
            int free = Volatile.Read(ref _freeCount);
            if (free == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _freeCount, free - 1, free) == free)
            {
                return true;
            }
        }
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
