namespace Detect.Sample.Detection;

/// <summary>
/// An HTTP head whose start line did not end in the segment that began it (a request begun on a
/// TCP Fast Open SYN, a long URI): its bytes, joined with the segments that follow it in sequence
/// until the blank line ends the head, as Suricata's HTTP parser reads it from the stream. Until then
/// the segments carry no HTTP buffers of their own (they are not heads); once it ends, the packet
/// that ended it is inspected with the whole head. Per flow and direction.
/// </summary>
internal sealed class SplitHttpHead
{
    /// <summary>Bytes a head may take before it is given up (Suricata's parser bounds its lines too).</summary>
    public const int MaxLength = 16 * 1024;

    private readonly byte[] _bytes = new byte[MaxLength];
    private int _length;

    // The sequence number after the last byte joined.
    private uint _nextSeq;

    /// <summary>A head is being joined.</summary>
    public bool Pending { get; private set; }

    /// <summary>Starts joining the head <paramref name="payload"/> (at sequence number <paramref name="seq"/>) begins.</summary>
    public void Start(uint seq, ReadOnlySpan<byte> payload)
    {
        Pending = payload.Length <= MaxLength;
        _length = 0;
        Append(seq, payload);
    }

    /// <summary>
    /// Adds the next segment of a pending head. Returns true with the whole head (and the bytes after
    /// it in this segment) in <paramref name="head"/> when the segment ends it; false while it goes on
    /// (or a retransmission repeats joined bytes). A segment that does not follow (a gap) or a head
    /// past <see cref="MaxLength"/> ends the joining: <see cref="Pending"/> turns false, and the
    /// segment is read on its own.
    /// </summary>
    public bool Continue(uint seq, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> head)
    {
        head = default;
        if (seq != _nextSeq)
        {
            uint end = seq + (uint)payload.Length;
            Pending = (int)(seq - _nextSeq) < 0 && (int)(end - _nextSeq) <= 0;
            return false;
        }

        if (_length + payload.Length > MaxLength)
        {
            Pending = false;
            return false;
        }

        // The blank line may straddle the boundary: look from a few bytes before it.
        int from = Math.Max(0, _length - 3);
        Append(seq, payload);
        ReadOnlySpan<byte> joined = _bytes.AsSpan(0, _length);
        if (!EndsHead(joined, from))
        {
            return false;
        }

        Pending = false;
        head = joined;
        return true;
    }

    private void Append(uint seq, ReadOnlySpan<byte> payload)
    {
        if (!Pending)
        {
            return;
        }

        payload.CopyTo(_bytes.AsSpan(_length));
        _length += payload.Length;
        _nextSeq = seq + (uint)payload.Length;
    }

    /// <summary>Whether a blank line (CRLF CRLF or LF LF) ends the head at or after <paramref name="from"/>.</summary>
    private static bool EndsHead(ReadOnlySpan<byte> bytes, int from)
    {
        ReadOnlySpan<byte> rest = bytes[from..];
        return rest.IndexOf("\r\n\r\n"u8) >= 0 || rest.IndexOf("\n\n"u8) >= 0;
    }
}
