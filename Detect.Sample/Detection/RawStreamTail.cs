namespace Detect.Sample.Detection;

/// <summary>
/// The last bytes of one direction of a TCP session's stream, in sequence order: what a content
/// split over segments needs of the earlier ones to be found, as Suricata finds it in the
/// reassembled raw stream. Kept per flow and direction; a gap restarts it at the packet after it,
/// and data already kept (a retransmission) leaves it as it is.
/// </summary>
internal sealed class RawStreamTail(int capacity)
{
    private readonly byte[] _bytes = new byte[capacity];
    private int _length;

    // The sequence number after the last byte kept.
    private uint _nextSeq;

    /// <summary>The kept bytes, the stream's last ones, oldest first.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

    /// <summary>Whether a payload starting at <paramref name="seq"/> follows the kept bytes without gap or overlap.</summary>
    public bool Continues(uint seq) => _length > 0 && seq == _nextSeq;

    /// <summary>Adds a payload that starts at sequence number <paramref name="seq"/>.</summary>
    public void Add(uint seq, ReadOnlySpan<byte> payload)
    {
        uint end = seq + (uint)payload.Length;
        if (_length > 0 && (int)(seq - _nextSeq) <= 0)
        {
            if ((int)(end - _nextSeq) <= 0)
            {
                // Bytes the tail has (or had) already: a retransmission.
                return;
            }

            // Its new part follows the kept bytes.
            payload = payload[(int)(_nextSeq - seq)..];
        }
        else
        {
            // The first payload, or one after a gap: the stream restarts here.
            _length = 0;
        }

        _nextSeq = end;
        if (payload.Length >= _bytes.Length)
        {
            payload[^_bytes.Length..].CopyTo(_bytes);
            _length = _bytes.Length;
            return;
        }

        int keep = Math.Min(_length, _bytes.Length - payload.Length);
        _bytes.AsSpan(_length - keep, keep).CopyTo(_bytes);
        payload.CopyTo(_bytes.AsSpan(keep));
        _length = keep + payload.Length;
    }
}
