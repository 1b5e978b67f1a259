using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using FlowEngine.Flows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FlowEngine.Output;

/// <summary>
/// Takes flow-end events off the workers: each worker copies its event into a bounded ring and
/// goes on, and one output thread hands them to the inner sink (which formats and writes them), so
/// no worker waits on an output file's lock or its writes. Events of one worker reach the inner sink
/// in the order that worker ended its flows. When the ring is full the worker sleeps until the
/// output thread has freed half of it (counted in <see cref="FullWaits"/>): no event is dropped,
/// and a worker ending many flows at once (the end of a capture file) does not spin while the
/// output thread formats them. An inner sink that is an <see cref="IFlowEventBatchSink"/> gets the
/// events the ring holds ready as one run (at most <see cref="MaxBatch"/>), which is most of them when
/// a capture file's end ends every flow at once. <see cref="Dispose"/> delivers every event queued
/// before it returns. No allocation per event.
/// </summary>
/// <remarks>
/// The ring is Vyukov's bounded queue: each cell carries a sequence number that says whether it is
/// free for the producer of a position or filled for the consumer, so producers claim positions
/// with one compare-exchange and never lock. Sequence numbers and events are kept in two arrays,
/// so that a run of filled cells is one span of events.
/// </remarks>
public sealed class FlowEndQueue : IFlowEventSink, IDisposable
{
    /// <summary>Events the ring holds by default (about 0.9 MB): a burst of that many flow ends never waits.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>Most events handed to an <see cref="IFlowEventBatchSink"/> at once.</summary>
    public const int MaxBatch = 64;

    /// <summary>Longest sleep of a producer on a full ring before it looks again (a lost wake costs no more).</summary>
    private const int RoomWaitMilliseconds = 20;

    private readonly long[] _sequences;
    private readonly FlowEndEvent[] _events;
    private readonly int _mask;
    private readonly IFlowEventSink _inner;
    private readonly IFlowEventBatchSink? _batchInner;
    private readonly ILogger _logger;
    private readonly Thread _output;
    private readonly ManualResetEventSlim _itemsAvailable = new(false);
    private readonly ManualResetEventSlim _roomAvailable = new(false);
    private PaddedLong _enqueuePosition;
    private long _dequeuePosition;
    private int _consumerWaiting;
    private int _producerWaiting;
    private long _wakeProducersAt;
    private int _activeProducers;
    private int _completing;
    private long _fullWaits;
    private long _delivered;
    private long _sinkErrors;
    private long _lateEvents;
    private int _disposed;

    /// <summary>Starts the output thread.</summary>
    /// <param name="inner">Formats and writes the events; called from the output thread (and, for an event that arrives after <see cref="Complete"/>, from its worker).</param>
    /// <param name="capacity">Events the ring holds; rounded up to a power of two, at least 2.</param>
    /// <param name="logger">Where a failing inner sink is reported.</param>
    public FlowEndQueue(IFlowEventSink inner, int capacity = DefaultCapacity, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _sequences = new long[size];
        _events = new FlowEndEvent[size];
        for (int i = 0; i < size; i++)
        {
            _sequences[i] = i;
        }

        _mask = size - 1;
        _inner = inner;
        _batchInner = inner as IFlowEventBatchSink;
        _logger = logger ?? NullLogger.Instance;
        _output = new Thread(Drain) { IsBackground = true, Name = "flow-end output" };
        _output.Start();
    }

    /// <summary>Events the ring holds.</summary>
    public int Capacity => _sequences.Length;

    /// <summary>Events handed to the inner sink so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Times a worker found the ring full and waited for the output thread.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    /// <summary>Events the inner sink threw on (logged; the event is lost to that sink).</summary>
    public long SinkErrors => Interlocked.Read(ref _sinkErrors);

    /// <summary>Events that arrived after <see cref="Complete"/> and were delivered on their worker's thread.</summary>
    public long LateEvents => Interlocked.Read(ref _lateEvents);

    /// <summary>Queues a copy of <paramref name="flowEnd"/>; waits while the ring is full.</summary>
    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        Interlocked.Increment(ref _activeProducers);
        try
        {
            if (Volatile.Read(ref _completing) != 0)
            {
                // The output thread may be gone: deliver here (the inner sink is thread-safe by contract).
                Interlocked.Increment(ref _lateEvents);
                Deliver(in flowEnd);
                return;
            }

            Enqueue(in flowEnd);
        }
        finally
        {
            Interlocked.Decrement(ref _activeProducers);
        }
    }

    /// <summary>No event is queued after this; the output thread delivers what is queued and ends.</summary>
    public void Complete()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            CompleteCore();
        }
    }

    /// <summary>Completes the queue and waits until the output thread delivered every queued event.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        CompleteCore();
        _output.Join();
        _itemsAvailable.Dispose();
        _roomAvailable.Dispose();
    }

    private void CompleteCore()
    {
        Interlocked.Exchange(ref _completing, 1);
        _itemsAvailable.Set();
    }

    private void Enqueue(in FlowEndEvent flowEnd)
    {
        long position = Volatile.Read(ref _enqueuePosition.Value);
        bool waited = false;
        while (true)
        {
            int index = (int)(position & _mask);
            long difference = Volatile.Read(ref _sequences[index]) - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueuePosition.Value, position + 1, position) == position)
                {
                    _events[index] = flowEnd;
                    Volatile.Write(ref _sequences[index], position + 1);
                    break;
                }
            }
            else if (difference < 0)
            {
                // Full: the output thread has not freed this cell yet. Wait for it, never drop.
                if (!waited)
                {
                    waited = true;
                    Interlocked.Increment(ref _fullWaits);
                }

                WaitForRoom(position);
            }

            position = Volatile.Read(ref _enqueuePosition.Value);
        }

        WakeOutput();
    }

    /// <summary>
    /// Sleeps until the output thread has freed half the ring ahead of <paramref name="position"/>
    /// (the cell of a position is free once the event a ring's length before it is delivered).
    /// </summary>
    private void WaitForRoom(long position)
    {
        _roomAvailable.Reset();
        Volatile.Write(ref _wakeProducersAt, position - (_sequences.Length / 2));
        Interlocked.Exchange(ref _producerWaiting, 1);
        WakeOutput();

        // Checked after the flag is up (the exchange is a full fence against the output thread's check of it).
        if (Volatile.Read(ref _sequences[position & _mask]) - position >= 0)
        {
            Interlocked.Exchange(ref _producerWaiting, 0);
            return;
        }

        _roomAvailable.Wait(RoomWaitMilliseconds);
    }

    /// <summary>Wakes sleeping producers once the output thread has delivered the position they wait for.</summary>
    private void WakeProducers(long delivered)
    {
        if (Volatile.Read(ref _producerWaiting) != 0 && delivered >= Volatile.Read(ref _wakeProducersAt)
            && Interlocked.CompareExchange(ref _producerWaiting, 0, 1) == 1)
        {
            _roomAvailable.Set();
        }
    }

    /// <summary>Wakes the output thread when it sleeps (the exchange is a full fence against its check of the ring).</summary>
    private void WakeOutput()
    {
        if (Volatile.Read(ref _consumerWaiting) != 0 && Interlocked.CompareExchange(ref _consumerWaiting, 0, 1) == 1)
        {
            _itemsAvailable.Set();
        }
    }

    private void Drain()
    {
        while (true)
        {
            long position = _dequeuePosition;
            int index = (int)(position & _mask);
            if (Volatile.Read(ref _sequences[index]) == position + 1)
            {
                // The filled cells after it go along, up to the ring's end (a run is one span).
                int count = 1;
                if (_batchInner is not null)
                {
                    int limit = Math.Min(MaxBatch, _sequences.Length - index);
                    while (count < limit && Volatile.Read(ref _sequences[index + count]) == position + count + 1)
                    {
                        count++;
                    }
                }

                Deliver(index, count);

                // A delivered cell keeps its event until a producer overwrites it: its one reference,
                // the interface name, lives as long as its worker. Clearing it wrote every event's
                // lines a second time, on this thread, and the producer that fills the cell next takes them back.
                for (int i = 0; i < count; i++)
                {
                    Volatile.Write(ref _sequences[index + i], position + i + _sequences.Length);
                }

                _dequeuePosition = position + count;
                WakeProducers(position + count - 1);
                continue;
            }

            if (Volatile.Read(ref _completing) != 0 && Volatile.Read(ref _activeProducers) == 0
                && Volatile.Read(ref _enqueuePosition.Value) == position)
            {
                Debug.Assert(Volatile.Read(ref _sequences[position & _mask]) != position + 1, "nothing left to deliver");
                return;
            }

            if (Volatile.Read(ref _enqueuePosition.Value) != position)
            {
                // A producer claimed the cell and is copying its event in.
                Thread.Yield();
                continue;
            }

            if (Volatile.Read(ref _completing) != 0)
            {
                // A worker that came before completion is still queueing (or one after it delivers itself).
                Thread.Yield();
                continue;
            }

            // Empty: a producer still asleep (its wake position passed while its flag was not yet up) gets the room now.
            WakeProducers(long.MaxValue);
            _itemsAvailable.Reset();
            Interlocked.Exchange(ref _consumerWaiting, 1);
            if (Volatile.Read(ref _enqueuePosition.Value) != position || Volatile.Read(ref _completing) != 0)
            {
                Interlocked.Exchange(ref _consumerWaiting, 0);
                continue;
            }

            _itemsAvailable.Wait();
        }
    }

    /// <summary>Delivers the events of <paramref name="count"/> filled cells from <paramref name="index"/>.</summary>
    private void Deliver(int index, int count)
    {
        if (_batchInner is null)
        {
            Debug.Assert(count == 1, "runs only for a batch sink");
            Deliver(in _events[index]);
            return;
        }

        try
        {
            _batchInner.OnFlowEnds(_events.AsSpan(index, count));
        }
#pragma warning disable CA1031 // An output failure must not stop the other flows' events.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Add(ref _sinkErrors, count);
            FlowLog.SinkFailed(_logger, ex, _events[index].InterfaceName);
        }

        Interlocked.Add(ref _delivered, count);
    }

    private void Deliver(in FlowEndEvent flowEnd)
    {
        try
        {
            _inner.OnFlowEnd(in flowEnd);
        }
#pragma warning disable CA1031 // An output failure must not stop the other flows' events.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _sinkErrors);
            FlowLog.SinkFailed(_logger, ex, flowEnd.InterfaceName);
        }

        Interlocked.Increment(ref _delivered);
    }

    /// <summary>The producers' position on a cache line of its own, apart from the consumer's.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)]
        public long Value;
    }
}
