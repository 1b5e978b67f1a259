namespace Detect.Sample.Detection;

/// <summary>
/// Follows the TLS record layer of one direction of a TCP flow, packet by packet, across
/// segment boundaries: 5-byte headers (type, version 3.x, length), bodies skipped. It gives
/// up (<see cref="NotTls"/>) when the first bytes are not a TLS handshake record or a header
/// is implausible. No reassembly: out-of-order segments make it give up, never mis-bypass.
/// </summary>
internal struct TlsRecordTracker
{
    private const byte ChangeCipherSpec = 0x14;
    private const byte Alert = 0x15;
    private const byte Handshake = 0x16;
    private const byte ApplicationData = 0x17;

    private int _remaining;
    private int _headerLength;
    private ulong _header;

    public bool NotTls { get; private set; }

    /// <summary>Whether a direction's first payload opens a handshake record, as a tracker's first payload must (else it gives up at once).</summary>
    public static bool OpensHandshake(ReadOnlySpan<byte> payload) => !payload.IsEmpty && payload[0] == Handshake;

    public bool Started { get; private set; }

    public bool SawChangeCipherSpec { get; private set; }

    public bool SawApplicationData { get; private set; }

    public void Process(ReadOnlySpan<byte> payload)
    {
        if (NotTls || payload.IsEmpty)
        {
            return;
        }

        if (!Started)
        {
            if (payload[0] != Handshake)
            {
                NotTls = true;
                return;
            }

            Started = true;
        }

        while (!payload.IsEmpty)
        {
            if (_remaining > 0)
            {
                int skip = Math.Min(_remaining, payload.Length);
                _remaining -= skip;
                payload = payload[skip..];
                continue;
            }

            _header = (_header << 8) | payload[0];
            _headerLength++;
            payload = payload[1..];
            if (_headerLength < 5)
            {
                continue;
            }

            byte type = (byte)(_header >> 32);
            byte major = (byte)(_header >> 24);
            int length = (int)(_header & 0xFFFF);
            _headerLength = 0;
            _header = 0;
            if (type is < ChangeCipherSpec or > 0x18 || major != 3 || length > (1 << 14) + 2048)
            {
                NotTls = true;
                return;
            }

            if (type == ChangeCipherSpec)
            {
                SawChangeCipherSpec = true;
            }
            else if (type == ApplicationData)
            {
                SawApplicationData = true;
            }
            else if (type is Alert or Handshake)
            {
                // Encrypted Finished and alerts are records like any other: nothing to learn.
            }

            _remaining = length;
        }
    }
}
