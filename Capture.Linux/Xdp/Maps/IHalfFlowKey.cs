using Capture.Abstractions;

namespace Capture.Linux.Xdp.Maps;

/// <summary>A half-flow key of one address family's map: built from a flow's to-server direction, turned around for the other.</summary>
/// <typeparam name="TKey">The key itself.</typeparam>
public interface IHalfFlowKey<TKey>
    where TKey : unmanaged, IHalfFlowKey<TKey>
{
    /// <summary>The key of the to-server half (Source → Destination) of <paramref name="flow"/>.</summary>
    /// <param name="flow">The flow, client first.</param>
    /// <returns>The key.</returns>
    static abstract TKey ToServer(in FlowTuple flow);

    /// <summary>The other direction's key.</summary>
    /// <returns>The key with addresses and ports swapped.</returns>
    TKey Reverse();
}
