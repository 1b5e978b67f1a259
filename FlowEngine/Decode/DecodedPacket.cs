using System.Runtime.CompilerServices;
using Capture.Abstractions;

namespace FlowEngine.Decode;

/// <summary>
/// Everything the engine needs of one packet after decoding: link facts and up to
/// <see cref="MaxLayers"/> IP layers, outermost first (a tunnel adds a layer). Reused per packet
/// by the worker: decoding fills it in place, allocation-free.
/// </summary>
public struct DecodedPacket
{
    /// <summary>How many IP layers are kept (tunnel recursion limit + 1).</summary>
    public const int MaxLayers = 4;

    /// <summary>How many of one packet's decoder events are kept (all are counted).</summary>
    public const int MaxEvents = 4;

    /// <summary>The capture record the packet came from.</summary>
    public PacketRecord Record;

    /// <summary>The IP layers, outermost first; <see cref="LayerCount"/> are valid.</summary>
    public PacketLayerArray Layers;

    /// <summary>Number of valid entries in <see cref="Layers"/>; 0 for non-IP packets (ARP, ...).</summary>
    public int LayerCount;

    /// <summary>Ethernet source MAC (low 48 bits), when the link is Ethernet.</summary>
    public ulong SourceMac;

    /// <summary>Ethernet destination MAC (low 48 bits).</summary>
    public ulong DestinationMac;

    /// <summary>The outermost EtherType after VLAN/MPLS/PPPoE (0x0800, 0x86DD, 0x0806, ...).</summary>
    public ushort EtherType;

    /// <summary>Why the packet could not be fully decoded, if it could not.</summary>
    public DecodeResult Result;

    /// <summary>The decoder events the packet raised, first <see cref="MaxEvents"/> kept; names from <see cref="DecoderEvents.Name"/>.</summary>
    public EventCodeArray EventCodes;

    /// <summary>Number of valid entries in <see cref="EventCodes"/>.</summary>
    public int EventCount;

    /// <summary>The innermost layer (the one detection looks at); a copy.</summary>
    public readonly PacketLayer Innermost => Layers[LayerCount == 0 ? 0 : LayerCount - 1];

    /// <summary>Fixed-size inline storage for the layers.</summary>
    [InlineArray(MaxLayers)]
    public struct PacketLayerArray
    {
        private PacketLayer _element;
    }

    /// <summary>Fixed-size inline storage for the event codes.</summary>
    [InlineArray(MaxEvents)]
    public struct EventCodeArray
    {
        private ushort _element;
    }

    /// <summary>Records one event of the packet (the counter is counted by the caller).</summary>
    internal void AddEvent(DecoderCounter counter)
    {
        if (EventCount < MaxEvents)
        {
            EventCodes[EventCount++] = (ushort)counter;
        }
    }
}
