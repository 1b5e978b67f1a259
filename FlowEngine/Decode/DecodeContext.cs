using Capture.Abstractions;

namespace FlowEngine.Decode;

/// <summary>
/// The state of one <see cref="PacketDecoder.Decode"/> call: the bytes being decoded (which become
/// the reassembled datagram when a fragment completes one), where they end, and the VLAN ids
/// waiting for the next IP layer. Lives on the stack.
/// </summary>
internal ref struct DecodeContext
{
    /// <summary>The packet bytes; all layer offsets refer to them.</summary>
    public ReadOnlySpan<byte> Data;

    /// <summary>The packet being filled.</summary>
    public ref DecodedPacket Packet;

    /// <summary>Where the current header's data ends (an IP datagram's end, before link padding).</summary>
    public int End;

    /// <summary>Capture time, for the defragmenter.</summary>
    public long Now;

    /// <summary>The capture cut the packet (snap length): lengths beyond the data are not errors.</summary>
    public bool Snapped;

    /// <summary>A datagram was already reassembled in this call (one per call: the buffer is reused).</summary>
    public bool Reassembled;

    /// <summary>Ethernet addresses were taken (the outermost frame's only).</summary>
    public bool MacSet;

    /// <summary>Link-level headers walked so far.</summary>
    public int LinkHeaders;

    /// <summary>VLAN headers seen in the current frame (kept: the first three).</summary>
    public int VlanHeaders;

    /// <summary>First VLAN id of the current frame.</summary>
    public ushort Vlan0;

    /// <summary>Second VLAN id of the current frame.</summary>
    public ushort Vlan1;

    /// <summary>Third VLAN id of the current frame.</summary>
    public ushort Vlan2;

    /// <summary>The tunnel whose header was just walked, for the next IP layer (see <see cref="PacketLayer.TunnelKind"/>).</summary>
    public TunnelKind Tunnel;

    /// <summary>That tunnel's id (VNI, GRE key, ERSPAN session).</summary>
    public uint TunnelId;

    public DecodeContext(ReadOnlySpan<byte> data, ref DecodedPacket packet)
    {
        Data = data;
        Packet = ref packet;
        End = data.Length;
    }
}
