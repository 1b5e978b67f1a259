namespace Detect.Sample.Detection;

/// <summary>
/// The HTTP bodies of one flow that run over several packets, each direction apart: a message whose
/// Content-Length goes beyond its head's packet has its body gathered until the last byte arrives,
/// and that packet inspects the whole body, as Suricata's http_client_body and http_server_body see
/// a body once it is complete (libhtp's body gathered to the request/response body limit). The
/// bytes kept stop at <see cref="BodyLimit"/>; the count of bytes still to come does not.
/// </summary>
internal sealed class HttpBodyTracking
{
    /// <summary>Bytes of one body kept for inspection (Suricata's request-body-limit and response-body-limit default: 100 KiB).</summary>
    internal const int BodyLimit = 100 * 1024;

    private readonly Direction _toServer = new();
    private readonly Direction _toClient = new();

    /// <summary>Follows one packet's payload in its direction.</summary>
    /// <param name="toServer">The packet's direction.</param>
    /// <param name="payload">Its payload.</param>
    /// <param name="body">The whole body when the packet completed one (<see cref="HttpBodyState.Complete"/>).</param>
    public HttpBodyState Follow(bool toServer, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> body) =>
        (toServer ? _toServer : _toClient).Follow(payload, out body);

    private sealed class Direction
    {
        private byte[] _held = [];
        private int _length;
        private long _remaining;

        public HttpBodyState Follow(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> body)
        {
            body = default;
            if (_remaining > 0)
            {
                int take = (int)Math.Min(_remaining, payload.Length);
                Keep(payload[..take]);
                _remaining -= take;
                if (_remaining > 0)
                {
                    return HttpBodyState.Pending;
                }

                body = _held.AsSpan(0, _length);
                return HttpBodyState.Complete;
            }

            HttpHead head = HttpHead.Parse(payload);
            if (head.MissingBodyBytes <= 0)
            {
                return HttpBodyState.InPacket;
            }

            _length = 0;
            Keep(payload[head.BodyStart..]);
            _remaining = head.MissingBodyBytes;
            return HttpBodyState.Pending;
        }

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            int room = BodyLimit - _length;
            if (room <= 0 || bytes.IsEmpty)
            {
                return;
            }

            bytes = bytes[..Math.Min(room, bytes.Length)];
            if (_length + bytes.Length > _held.Length)
            {
                Array.Resize(ref _held, Math.Min(BodyLimit, Math.Max(_length + bytes.Length, _held.Length * 2)));
            }

            bytes.CopyTo(_held.AsSpan(_length));
            _length += bytes.Length;
        }
    }
}
