namespace Capture.Abstractions;

/// <summary>Per-packet facts a capture source knows from outside the packet bytes.</summary>
[Flags]
public enum PacketFlags : ushort
{
    /// <summary>Nothing known.</summary>
    None = 0,

    /// <summary>
    /// <see cref="PacketRecord.VlanTci"/> holds an 802.1Q tag the capture removed from the frame
    /// (AF_PACKET with VLAN offload); the decoder treats it as the outermost VLAN.
    /// </summary>
    VlanTciValid = 1,

    /// <summary>The NIC or kernel verified the checksums.</summary>
    ChecksumVerified = 2,

    /// <summary>The capture length is shorter than the original length (snap length).</summary>
    Truncated = 4,
}
