using FlowEngine.Decode;
using FlowEngine.Flows;

namespace FlowEngine.Pipeline;

/// <summary>
/// One packet of a worker's chunk between its stages: decoded, keyed and hashed while its flow's
/// lines are being fetched. One struct, so each stage reaches all of a packet with one index.
/// </summary>
internal struct ChunkPacket
{
    /// <summary>The flow key of <see cref="KeyLayer"/>.</summary>
    public FlowKey Key;

    /// <summary>The key's hash.</summary>
    public uint Hash;

    /// <summary>The innermost layer with a flow key; -1 when the packet has no flow.</summary>
    public int KeyLayer;

    /// <summary>Where the packet's bytes start in the batch buffer.</summary>
    public int Offset;

    /// <summary>The packet's length in the batch buffer; -1 when there is nothing left to handle.</summary>
    public int Length;

    /// <summary>Which end of the key sent the packet.</summary>
    public bool SourceIsLow;

    /// <summary>The decoded packet.</summary>
    public DecodedPacket Packet;
}
