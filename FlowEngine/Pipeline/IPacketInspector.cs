using FlowEngine.Decode;

namespace FlowEngine.Pipeline;

/// <summary>
/// Detection's per-packet callback. The engine creates one instance per worker (through the
/// factory given to <see cref="CaptureEngine"/>) and calls it from that worker's thread only, so
/// an inspector needs no locks. It sees every decoded packet that belongs to a flow and is not
/// bypassed; packets of bypassed flows are counted and dropped before it. An inspector that counts
/// a verdict for every packet (inline mode) also hears of the packets it does not see
/// (<see cref="CountsEveryPacket"/>).
/// </summary>
public interface IPacketInspector
{
    /// <summary>Inspects one packet; may call <see cref="PacketContext.RequestBypass"/>.</summary>
    /// <param name="context">The packet and its flow, valid during the call only.</param>
    void Inspect(ref PacketContext context);

    /// <summary>
    /// Sees a packet that belongs to no flow: it failed to decode, or carries no IP, and raised decoder
    /// events (<see cref="DecodedPacket.EventCodes"/>), what decoder-event rules and anomaly records
    /// look at; or it decoded whole (<see cref="DecodeResult.Ok"/>) to layers Suricata keeps no flow
    /// for (IGMP, GRE without a tunnelled packet); or it is an IP fragment, its innermost layer marked
    /// <see cref="PacketLayerFlags.Fragment"/>, as Suricata inspects each fragment as a packet without
    /// a flow: one held for reassembly (<see cref="DecodeResult.FragmentHeld"/>), or the one that
    /// completed a datagram (also marked <see cref="PacketLayerFlags.Reassembled"/>), called after
    /// the datagram's <see cref="Inspect"/>, with no ports, transport or decoder events (those stay
    /// with the datagram), its frame already counted with the datagram. The default does nothing.
    /// </summary>
    /// <param name="packet">The decoded packet; its layers may stop where decoding failed.</param>
    /// <param name="bytes">The bytes the layers' offsets refer to, valid during the call only.</param>
    void InspectWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
    }

    /// <summary>
    /// Whether the engine tells the inspector of every packet it does not see (<see cref="Bypassed"/>,
    /// <see cref="PassedWithoutFlow"/>), as an inline host that gives each packet a verdict needs. Read
    /// once, when the worker is made; the default is false, and then the engine makes neither call.
    /// </summary>
    bool CountsEveryPacket => false;

    /// <summary>
    /// Hears of a packet of a bypassed flow that reached the engine (a flow bypassed in user space, or
    /// one whose capture entry was not in place yet): the flow counted it, and it is dropped before
    /// <see cref="Inspect"/>. Called only when <see cref="CountsEveryPacket"/>.
    /// </summary>
    /// <param name="context">The packet and its flow, valid during the call only.</param>
    void Bypassed(ref PacketContext context)
    {
    }

    /// <summary>
    /// Hears of a packet without a flow that <see cref="InspectWithoutFlow"/> does not see: one that
    /// failed to decode or carries no IP and raised no decoder event. Called only when
    /// <see cref="CountsEveryPacket"/>.
    /// </summary>
    /// <param name="packet">The decoded packet; its layers may stop where decoding failed.</param>
    /// <param name="bytes">The packet's bytes (what a drop record of it describes), valid during the call only.</param>
    void PassedWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
    }
}
