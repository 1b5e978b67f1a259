using System.Collections.Concurrent;
using FlowEngine.Output;

namespace FlowEngine.Tests.Flows;

/// <summary>Keeps every flow-end event (or only counts them, for big tables).</summary>
internal sealed class RecordingSink(bool keep = true) : IFlowEventSink
{
    private readonly ConcurrentQueue<FlowEndEvent> _events = new();
    private long _count;

    public IReadOnlyList<FlowEndEvent> Events => [.. _events];

    public long Count => Interlocked.Read(ref _count);

    public void OnFlowEnd(in FlowEndEvent flowEnd)
    {
        Interlocked.Increment(ref _count);
        if (keep)
        {
            _events.Enqueue(flowEnd);
        }
    }
}
