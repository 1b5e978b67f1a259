namespace Detect.Sample.Detection;

/// <summary>
/// Walks the DCE/RPC PDUs one TCP payload holds back to back (a client may send a BIND and a REQUEST,
/// or several REQUEST fragments, in one segment). Stops at the first bytes that are not a sane PDU
/// header and says so (<see cref="Malformed"/>); the PDUs before them stand.
/// </summary>
internal ref struct DcerpcPduReader(ReadOnlySpan<byte> payload)
{
    private ReadOnlySpan<byte> _rest = payload;

    /// <summary>The walk stopped on bytes that are not a DCE/RPC PDU (not at the payload's end).</summary>
    public bool Malformed { get; private set; }

    /// <summary>The next PDU; false at the payload's end or on malformed bytes.</summary>
    public bool TryRead(out DcerpcPdu pdu)
    {
        pdu = default;
        if (_rest.IsEmpty)
        {
            return false;
        }

        if (!DcerpcPdu.TryRead(_rest, out pdu, out int consumed))
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        System.Diagnostics.Debug.Assert(consumed >= DcerpcPdu.HeaderLength && consumed <= _rest.Length, "a PDU spans its header and no more than the payload");
        _rest = _rest[consumed..];
        return true;
    }
}
