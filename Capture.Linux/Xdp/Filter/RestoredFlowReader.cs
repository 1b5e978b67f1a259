using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;

namespace Capture.Linux.Xdp.Filter;

/// <summary>Reads the flows left in reused pinned maps and pairs their two halves.</summary>
internal static class RestoredFlowReader
{
    internal static void Read(FlowMap v4, FlowMap v6, List<RestoredBypassedFlow> into)
    {
        Pair(Collect<FlowKeyV4>(v4), static k => k.Reverse(), static k => k.ToTuple(), static k => BinaryPrimitives.ReverseEndianness(k.DestinationPort), static k => BinaryPrimitives.ReverseEndianness(k.SourcePort), into);
        Pair(Collect<FlowKeyV6>(v6), static k => k.Reverse(), static k => k.ToTuple(), static k => BinaryPrimitives.ReverseEndianness(k.DestinationPort), static k => BinaryPrimitives.ReverseEndianness(k.SourcePort), into);
    }

    private static Dictionary<TKey, HalfFlowCounters> Collect<TKey>(FlowMap map)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        Dictionary<TKey, HalfFlowCounters> entries = [];
        using FlowMapWalker walker = new(map, 1024);
        while (walker.Next(out int count, out int error))
        {
            for (int i = 0; i < count; i++)
            {
                entries[walker.Key<TKey>(i)] = walker.Counters(i);
            }

            if (error != 0)
            {
                throw Interop.BpfErrors.Create($"reading pinned map {map.Name}", error);
            }
        }

        return entries;
    }

    private static void Pair<TKey>(
        Dictionary<TKey, HalfFlowCounters> entries,
        Func<TKey, TKey> reverse,
        Func<TKey, FlowTuple> tuple,
        Func<TKey, ushort> destinationPort,
        Func<TKey, ushort> sourcePort,
        List<RestoredBypassedFlow> into)
        where TKey : unmanaged, IEquatable<TKey>, IHalfFlowKey<TKey>
    {
        HashSet<TKey> done = [];
        foreach ((TKey key, HalfFlowCounters counters) in entries)
        {
            if (done.Contains(key))
            {
                continue;
            }

            TKey other = reverse(key);
            // A half missing (deleted, or never inserted) counts zero.
            entries.TryGetValue(other, out HalfFlowCounters otherCounters);
            done.Add(key);
            done.Add(other);

            // The map does not say who opened the flow: take the side with the lower port as the server.
            bool keyIsToServer = destinationPort(key) <= sourcePort(key);
            if (keyIsToServer)
            {
                into.Add(new RestoredBypassedFlow(tuple(key), counters.Packets, counters.Bytes, otherCounters.Packets, otherCounters.Bytes));
            }
            else
            {
                into.Add(new RestoredBypassedFlow(tuple(other), otherCounters.Packets, otherCounters.Bytes, counters.Packets, counters.Bytes));
            }
        }
    }
}
