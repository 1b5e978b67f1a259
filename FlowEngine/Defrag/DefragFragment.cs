namespace FlowEngine.Defrag;

/// <summary>
/// One stored fragment: its IP header(s) and data copied into a pooled buffer. For IPv6 the header
/// part ends with the fragment header.
/// </summary>
internal struct DefragFragment
{
    /// <summary>
    /// Pooled buffer (FragmentBufferPool) holding the header part then the data; null for the
    /// fragment being decoded, which is still in its frame.
    /// </summary>
    public byte[]? Buffer;

    /// <summary>Bytes of IP header (IPv4 header; IPv6 header, extension headers and fragment header).</summary>
    public int HeaderLength;

    /// <summary>For IPv6: offset in <see cref="Buffer"/> of the next-header byte that names the fragment header.</summary>
    public int NextHeaderField;

    /// <summary>Offset of the data in the datagram, bytes.</summary>
    public int Offset;

    /// <summary>Data bytes.</summary>
    public int Length;

    /// <summary>The more-fragments flag.</summary>
    public bool More;

    /// <summary>End of the data in the datagram.</summary>
    public readonly int End => Offset + Length;

    /// <summary>The header part then the data: the held copy, or the frame of the fragment being decoded.</summary>
    public readonly ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> frame, int networkOffset) =>
        Buffer is null ? frame.Slice(networkOffset, HeaderLength + Length) : Buffer.AsSpan(0, HeaderLength + Length);
}
