using System.Collections.Concurrent;
using Capture.Abstractions;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace FlowEngine.Tests.Output;

/// <summary>Flow ends through the queue to the output thread: nothing lost, each worker's order kept.</summary>
public class FlowEndQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Every_event_of_several_workers_arrives_in_each_workers_order_through_a_two_event_queue()
    {
        const int Workers = 4;
        const int PerWorker = 5000;
        OrderedSink sink = new();
        FlowEndQueue queue = new(sink, capacity: 2);
        Assert.Equal(2, queue.Capacity);
        Thread[] threads = StartWorkers(queue, Workers, PerWorker);

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        queue.Dispose();

        Assert.Equal(Workers * PerWorker, queue.Delivered);
        Assert.Equal(Workers * PerWorker, sink.Count);
        Assert.Equal(0, sink.OutOfOrder);
        for (int w = 0; w < Workers; w++)
        {
            Assert.Equal(PerWorker - 1, sink.LastOf(w));
        }
    }

    [Fact]
    public void A_full_queue_makes_the_worker_wait_counted_and_loses_nothing()
    {
        using ManualResetEventSlim gate = new(false);
        OrderedSink sink = new(gate);
        FlowEndQueue queue = new(sink, capacity: 2);
        Thread worker = new(() =>
        {
            for (int i = 0; i < 6; i++)
            {
                FlowEndEvent flowEnd = Event(0, i);
                queue.OnFlowEnd(in flowEnd);
            }
        });
        worker.Start();

        // The output thread holds the first event at the closed gate; two fill the ring; the next waits.
        Assert.True(SpinWait.SpinUntil(() => queue.FullWaits > 0, Patience));
        Assert.True(worker.IsAlive);
        Assert.Equal(0, queue.Delivered);

        gate.Set();
        Assert.True(worker.Join(Patience));
        queue.Dispose();
        Assert.Equal(6, sink.Count);
        Assert.Equal(5, sink.LastOf(0));
        Assert.Equal(0, sink.OutOfOrder);
    }

    [Fact]
    public void Dispose_returns_only_after_every_queued_event_reached_the_sink()
    {
        using ManualResetEventSlim gate = new(false);
        OrderedSink sink = new(gate);
        FlowEndQueue queue = new(sink, capacity: 8);
        for (int i = 0; i < 8; i++)
        {
            FlowEndEvent flowEnd = Event(0, i);
            queue.OnFlowEnd(in flowEnd);
        }

        Thread disposing = new(queue.Dispose);
        disposing.Start();

        // Cannot return while the sink holds the first event at the closed gate.
        Assert.False(disposing.Join(TimeSpan.FromMilliseconds(50)));
        gate.Set();
        Assert.True(disposing.Join(Patience));
        Assert.Equal(8, sink.Count);
        Assert.Equal(7, sink.LastOf(0));
    }

    [Fact]
    public void An_event_after_completion_is_delivered_on_its_workers_thread()
    {
        OrderedSink sink = new();
        FlowEndQueue queue = new(sink, capacity: 4);
        queue.Complete();
        FlowEndEvent late = Event(0, 0);
        queue.OnFlowEnd(in late);

        Assert.Equal(1, sink.Count);
        Assert.Equal(1, queue.LateEvents);
        queue.Dispose();
        Assert.Equal(1, queue.Delivered);
    }

    [Fact]
    public void A_failing_sink_is_counted_and_the_other_events_still_arrive()
    {
        OrderedSink sink = new(failOn: 3);
        FlowEndQueue queue = new(sink, capacity: 4);
        for (int i = 0; i < 10; i++)
        {
            FlowEndEvent flowEnd = Event(0, i);
            queue.OnFlowEnd(in flowEnd);
        }

        queue.Dispose();
        Assert.Equal(1, queue.SinkErrors);
        Assert.Equal(9, sink.Count);
        Assert.Equal(9, sink.LastOf(0));
    }

    [Fact]
    public void A_batch_sink_gets_the_ready_events_as_runs_in_each_workers_order_and_loses_nothing()
    {
        const int Workers = 4;
        const int PerWorker = 5000;
        using ManualResetEventSlim gate = new(false);
        OrderedBatchSink sink = new(gate);
        FlowEndQueue queue = new(sink, capacity: 256);
        Thread[] threads = StartWorkers(queue, Workers, PerWorker);

        // The output thread holds the first run at the closed gate while the ring fills behind it.
        Assert.True(SpinWait.SpinUntil(() => queue.FullWaits > 0, Patience));
        gate.Set();
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(Patience));
        }

        queue.Dispose();
        Assert.Equal(Workers * PerWorker, queue.Delivered);
        Assert.Equal(Workers * PerWorker, sink.Events.Count);
        Assert.Equal(0, sink.Events.OutOfOrder);
        Assert.InRange(sink.LongestRun, 2, FlowEndQueue.MaxBatch);
    }

    [Fact]
    public void A_batch_sink_that_throws_loses_that_run_counted_and_the_later_events_still_arrive()
    {
        using ManualResetEventSlim gate = new(false);
        OrderedBatchSink sink = new(gate, failOn: 3);
        FlowEndQueue queue = new(sink, capacity: 16);
        for (int i = 0; i < 10; i++)
        {
            FlowEndEvent flowEnd = Event(0, i);
            queue.OnFlowEnd(in flowEnd);
        }

        gate.Set();
        queue.Dispose();
        FlowEndEvent late = Event(0, 10);
        queue.OnFlowEnd(in late);

        Assert.InRange(sink.FailedRun, 1, 10);
        Assert.Equal(sink.FailedRun, queue.SinkErrors);
        Assert.Equal(11 - sink.FailedRun, sink.Events.Count);
        Assert.Equal(10, sink.Events.LastOf(0));
        Assert.Equal(0, sink.Events.OutOfOrder);
    }

    /// <summary>Threads that each queue <paramref name="perWorker"/> events of their own, in sequence.</summary>
    private static Thread[] StartWorkers(FlowEndQueue queue, int workers, int perWorker)
    {
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            int worker = w;
            threads[w] = new Thread(() =>
            {
                for (int i = 0; i < perWorker; i++)
                {
                    FlowEndEvent flowEnd = Event(worker, i);
                    queue.OnFlowEnd(in flowEnd);
                }
            });
            threads[w].Start();
        }

        return threads;
    }

    /// <summary>Worker in the flow id's high bits, its sequence in the low ones.</summary>
    private static FlowEndEvent Event(int worker, int sequence) => new()
    {
        FlowId = ((long)worker << 32) | (uint)sequence,
        Tuple = new FlowTuple(false, FlowAddress.FromBytes([10, 0, 0, 1]), FlowAddress.FromBytes([10, 0, 0, 2]), 1000, 53, 17, 0, 0, 0, 0),
        VlanCount = 0,
        InterfaceName = "test0",
        StartNanoseconds = sequence,
        EndNanoseconds = sequence + 1,
        PacketsToServer = 1,
        PacketsToClient = 1,
        BytesToServer = 60,
        BytesToClient = 60,
        BypassedPacketsToServer = 0,
        BypassedPacketsToClient = 0,
        BypassedBytesToServer = 0,
        BypassedBytesToClient = 0,
        State = FlowState.Established,
        Reason = FlowEndReason.Timeout,
        Bypass = BypassKind.None,
        HasBypassCounters = false,
        TcpFlagsToServer = 0,
        TcpFlagsToClient = 0,
        SourceMac = 0,
        DestinationMac = 0,
        TunnelParentFlowId = 0,
        Alerted = false,
    };

    /// <summary>Takes runs into an <see cref="OrderedSink"/>; can hold every run at a gate, and throws on the run that holds <paramref name="failOn"/>.</summary>
    private sealed class OrderedBatchSink(ManualResetEventSlim gate, int failOn = -1) : IFlowEventBatchSink
    {
        public OrderedSink Events { get; } = new();

        public int LongestRun { get; private set; }

        public int FailedRun { get; private set; }

        public void OnFlowEnd(in FlowEndEvent flowEnd) => OnFlowEnds(new ReadOnlySpan<FlowEndEvent>(in flowEnd));

        public void OnFlowEnds(ReadOnlySpan<FlowEndEvent> flowEnds)
        {
            gate.Wait();
            LongestRun = Math.Max(LongestRun, flowEnds.Length);
            foreach (ref readonly FlowEndEvent flowEnd in flowEnds)
            {
                if ((int)(flowEnd.FlowId & 0xFFFF_FFFF) == failOn)
                {
                    FailedRun = flowEnds.Length;
                    throw new IOException("disk full");
                }
            }

            foreach (ref readonly FlowEndEvent flowEnd in flowEnds)
            {
                Events.OnFlowEnd(in flowEnd);
            }
        }
    }

    /// <summary>Checks that each worker's sequence numbers arrive rising; can hold every event at a gate or fail one.</summary>
    private sealed class OrderedSink(ManualResetEventSlim? gate = null, int failOn = -1) : IFlowEventSink
    {
        private readonly ConcurrentDictionary<int, int> _last = new();
        private long _count;
        private long _outOfOrder;

        public long Count => Interlocked.Read(ref _count);

        public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

        public int LastOf(int worker) => _last.TryGetValue(worker, out int last) ? last : -1;

        public void OnFlowEnd(in FlowEndEvent flowEnd)
        {
            gate?.Wait();
            int worker = (int)(flowEnd.FlowId >> 32);
            int sequence = (int)(flowEnd.FlowId & 0xFFFF_FFFF);
            if (sequence == failOn)
            {
                throw new IOException("disk full");
            }

            int previous = _last.GetValueOrDefault(worker, -1);
            if (sequence <= previous)
            {
                Interlocked.Increment(ref _outOfOrder);
            }

            _last[worker] = sequence;
            Interlocked.Increment(ref _count);
        }
    }
}
