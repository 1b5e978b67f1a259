using System.Collections.Concurrent;
using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;

namespace Capture.Linux.Xdp.Bypass;

/// <summary>
/// One address family of an interface's XDP bypass: its map, the entries live flows own (so the
/// sweeper can tell orphans), its counters, and the outcome a full map gives. IPv4 and IPv6 differ
/// only in the key, so the strategy runs the same code on either.
/// </summary>
/// <typeparam name="TKey">The map's half-flow key.</typeparam>
internal sealed class BypassFamily<TKey>
    where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
{
    private readonly ConcurrentDictionary<TKey, byte> _live = new();
    private long _success;
    private long _failure;
    private long _entries;

    public BypassFamily(string interfaceName, FlowMap map)
    {
        Map = map;

        // Built once: a full map must not cost an allocation per refused flow.
        Full = BypassOutcome.Failed(BypassFailure.TableFull, $"{interfaceName}: {map.Name} is full ({map.Capacity} entries, two per flow)");
    }

    public FlowMap Map { get; }

    public BypassOutcome Full { get; }

    public BypassFamilyStatistics Statistics =>
        new(Interlocked.Read(ref _success), Interlocked.Read(ref _failure), Interlocked.Read(ref _entries));

    /// <summary>Whether a live flow (bypassed or adopted, not released) owns this entry.</summary>
    public bool Owns(in TKey key) => _live.ContainsKey(key);

    /// <summary>A flow's two entries were inserted (or taken over from pinned maps: <paramref name="inserted"/> false).</summary>
    public void Added(TKey toServer, bool inserted)
    {
        _live[toServer] = 0;
        _live[toServer.Reverse()] = 0;
        if (inserted)
        {
            Interlocked.Increment(ref _success);
        }

        Interlocked.Increment(ref _entries);
    }

    public void Refused() => Interlocked.Increment(ref _failure);

    /// <summary>A flow's entries were deleted from the map.</summary>
    public void Removed(TKey toServer)
    {
        _live.TryRemove(toServer, out _);
        _live.TryRemove(toServer.Reverse(), out _);
        Left();
    }

    /// <summary>A flow's entries are no longer this run's (deleted, or left pinned for the next start).</summary>
    public void Left() => Interlocked.Decrement(ref _entries);
}
