using System.Collections.Concurrent;
using Capture.Abstractions;

namespace FlowEngine.Tests.Flows;

/// <summary>
/// A real software bypass for tests: a table of bypassed flows that the test's "capture" consults
/// before delivering a packet (<see cref="Filter"/>), counting what it drops in the flow's own
/// direction, answering liveness from those counters and removing entries on release.
/// </summary>
internal sealed class InMemoryBypassStrategy(int capacity = 1024) : IBypassStrategy
{
    private readonly ConcurrentDictionary<FlowTuple, Entry> _entries = new();
    private readonly ConcurrentDictionary<FlowTuple, int> _releases = new();
    private long _success;
    private long _failure;
    private long _packets;
    private long _bytes;

    public string Name => "in-memory";

    public bool ThrowOnSeenSince { get; set; }

    public int Entries => _entries.Count;

    /// <summary>How many times Release ran for a flow.</summary>
    public int ReleasesOf(FlowTuple flow) => _releases.TryGetValue(flow, out int n) ? n : 0;

    public int TotalReleases => _releases.Values.Sum();

    public BypassOutcome TryBypass(in FlowTuple flow, BypassRecord record)
    {
        // As the captures' filters key flows: on the wire, or one tunnel deep in a tunnel the
        // engine named (its identity is part of the key); anything else it cannot match.
        bool matchable = flow.TunnelDepth switch
        {
            0 => flow.Tunnel.Kind == TunnelKind.None,
            1 => flow.Tunnel.Kind is not (TunnelKind.None or TunnelKind.Other),
            _ => false,
        };
        if (!matchable)
        {
            return BypassOutcome.Failed(BypassFailure.Unsupported, "in-memory table keys flows on the wire or one named tunnel deep");
        }

        if (_entries.Count >= capacity)
        {
            Interlocked.Increment(ref _failure);
            return BypassOutcome.Failed(BypassFailure.TableFull, "in-memory table full");
        }

        Entry entry = new(flow);
        if (!_entries.TryAdd(flow, entry))
        {
            entry = _entries[flow];
        }

        record.StrategyState = entry;
        Interlocked.Increment(ref _success);
        return BypassOutcome.Success;
    }

    /// <summary>An entry left by an earlier run (as pinned maps keep them), with its counters.</summary>
    public RestoredBypassedFlow Seed(FlowTuple flow, long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient)
    {
        Entry entry = new(flow)
        {
            PacketsToServer = packetsToServer,
            BytesToServer = bytesToServer,
            PacketsToClient = packetsToClient,
            BytesToClient = bytesToClient,
        };
        _entries[flow] = entry;
        return new RestoredBypassedFlow(flow, packetsToServer, bytesToServer, packetsToClient, bytesToClient);
    }

    /// <summary>How many flows were adopted.</summary>
    public int Adopted { get; private set; }

    /// <summary>Takes over a seeded entry: the record follows its counters from now on.</summary>
    public void Adopt(in RestoredBypassedFlow flow, BypassRecord record)
    {
        if (!_entries.TryGetValue(flow.Flow, out Entry? entry))
        {
            throw new InvalidOperationException("no entry to adopt");
        }

        record.Strategy = this;
        record.StrategyState = entry;
        Adopted++;
    }

    /// <summary>The capture side: drops (and counts) a packet when its flow is bypassed.</summary>
    public bool Filter(in FlowTuple packet, int bytes)
    {
        if (_entries.TryGetValue(packet, out Entry? forward))
        {
            Interlocked.Increment(ref forward.PacketsToServer);
            Interlocked.Add(ref forward.BytesToServer, bytes);
        }
        else if (_entries.TryGetValue(packet.Reverse(), out Entry? reverse))
        {
            Interlocked.Increment(ref reverse.PacketsToClient);
            Interlocked.Add(ref reverse.BytesToClient, bytes);
        }
        else
        {
            return false;
        }

        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, bytes);
        return true;
    }

    public bool SeenSince(in FlowTuple flow, BypassRecord record, long sinceNanoseconds)
    {
        if (ThrowOnSeenSince)
        {
            throw new InvalidOperationException("in-memory table went away");
        }

        Entry entry = (Entry)record.StrategyState!;
        return record.FoldTotals(
            Volatile.Read(ref entry.PacketsToServer),
            Volatile.Read(ref entry.BytesToServer),
            Volatile.Read(ref entry.PacketsToClient),
            Volatile.Read(ref entry.BytesToClient));
    }

    public void Release(in FlowTuple flow, BypassRecord record)
    {
        _releases.AddOrUpdate(flow, 1, (_, n) => n + 1);
        if (record.StrategyState is Entry entry)
        {
            _entries.TryRemove(entry.Flow, out _);
            record.FoldTotals(entry.PacketsToServer, entry.BytesToServer, entry.PacketsToClient, entry.BytesToClient);
        }
    }

    public BypassStatistics GetStatistics() =>
        new(new BypassFamilyStatistics(_success, _failure, _entries.Count), default, _packets, _bytes);

    private sealed class Entry(FlowTuple flow)
    {
        public readonly FlowTuple Flow = flow;
        public long PacketsToServer;
        public long BytesToServer;
        public long PacketsToClient;
        public long BytesToClient;
    }
}
