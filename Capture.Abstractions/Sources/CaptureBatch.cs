namespace Capture.Abstractions;

/// <summary>
/// A batch of packets whose memory the capture source owns (a ring block, a pooled buffer).
/// The engine reads it and calls <see cref="Release"/> exactly once when done; batches may be
/// released in any order. After release neither the buffer nor the records may be touched.
/// </summary>
/// <remarks>Sources pool their batch objects: receiving and releasing allocate nothing.</remarks>
public abstract class CaptureBatch
{
    /// <summary>The packets, in capture order.</summary>
    public abstract ReadOnlySpan<PacketRecord> Packets { get; }

    /// <summary>The memory the records point into.</summary>
    public abstract ReadOnlySpan<byte> Buffer { get; }

    /// <summary>The source that delivered the batch.</summary>
    public abstract ICaptureSource Source { get; }

    /// <summary>The captured bytes of one packet of this batch.</summary>
    /// <param name="packet">A record from <see cref="Packets"/>.</param>
    /// <returns>The packet's bytes.</returns>
    public ReadOnlySpan<byte> GetPacketData(in PacketRecord packet) => Buffer.Slice(packet.Offset, packet.CaptureLength);

    /// <summary>Gives the batch's memory back to its source. Call once.</summary>
    public abstract void Release();
}
