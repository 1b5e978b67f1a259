namespace FlowEngine.Decode;

/// <summary>The outcome of decoding one packet. Anything but <see cref="Ok"/> is also a decoder counter.</summary>
public enum DecodeResult : byte
{
    /// <summary>Decoded; at least the outermost layer is valid (or the packet is non-IP and counted as such).</summary>
    Ok = 0,

    /// <summary>A header was cut short by the capture length.</summary>
    Truncated,

    /// <summary>A length field contradicts the data.</summary>
    InvalidLength,

    /// <summary>An IP version other than 4 or 6 where one was expected.</summary>
    BadVersion,

    /// <summary>The link type is not decoded.</summary>
    UnsupportedLinkType,

    /// <summary>More VLAN/MPLS/tunnel layers than the limits allow.</summary>
    TooManyLayers,

    /// <summary>Other malformed input.</summary>
    Malformed,

    /// <summary>A fragment was consumed by the defragmenter and will come back reassembled (or time out).</summary>
    FragmentHeld,
}
