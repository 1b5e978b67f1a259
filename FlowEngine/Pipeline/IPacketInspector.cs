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
}
