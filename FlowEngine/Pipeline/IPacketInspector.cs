using FlowEngine.Decode;

namespace FlowEngine.Pipeline;

/// <summary>
/// Detection's per-packet callback. The engine creates one instance per worker (through the
/// factory given to <see cref="CaptureEngine"/>) and calls it from that worker's thread only, so
/// an inspector needs no locks. It sees every decoded packet that belongs to a flow and is not
/// bypassed; packets of bypassed flows are counted and dropped before it.
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
    /// for (IGMP, GRE without a tunnelled packet). The default does nothing.
    /// </summary>
    /// <param name="packet">The decoded packet; its layers may stop where decoding failed.</param>
    /// <param name="bytes">The bytes the layers' offsets refer to, valid during the call only.</param>
    void InspectWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
    {
    }
}
