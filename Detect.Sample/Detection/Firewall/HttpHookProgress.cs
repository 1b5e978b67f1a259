using System.Buffers.Text;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// How far one direction of an HTTP/1 transaction got, in the states of Suricata's http1 hooks
/// (libhtp's progress: 0 started, 1 line, 2 headers, 3 body, 4 trailer, 5 complete), as the packets
/// of that direction come. A message starts with a packet that begins with a request or status
/// line; its body is as long as Content-Length says (chunked bodies stay in the body state).
/// </summary>
internal struct HttpHookProgress
{
    public const int Started = 0, Line = 1, Headers = 2, Body = 3, Complete = 5;

    private long _bodyLeft;

    /// <summary>The transaction's number in this direction (0: none yet).</summary>
    public int Transaction { get; private set; }

    /// <summary>The current transaction's state; -1 before the first.</summary>
    public int Progress { get; private set; }

    /// <summary>Feeds one packet's payload; returns whether the state moved (Suricata's app-layer update).</summary>
    public bool Update(ReadOnlySpan<byte> payload, bool toServer)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        HttpHead head = HttpHead.Parse(payload);
        if (head.IsValid && head.IsRequest == toServer && (Transaction == 0 || Progress == Complete))
        {
            Transaction++;
            Progress = Head(head, payload);
            return true;
        }

        if (Transaction == 0 || Progress == Complete)
        {
            return false;
        }

        int before = Progress;
        if (Progress == Body && _bodyLeft > 0)
        {
            _bodyLeft -= payload.Length;
            Progress = _bodyLeft <= 0 ? Complete : Body;
        }

        return Progress != before;
    }

    private int Head(HttpHead head, ReadOnlySpan<byte> payload)
    {
        if (head.BodyStart < 0)
        {
            // The head goes on in later segments; the line is there.
            _bodyLeft = 0;
            return Line;
        }

        long length = head.TryGetHeader(payload, "Content-Length"u8, out ReadOnlySpan<byte> value) && Utf8Parser.TryParse(value, out long parsed, out int used) && used == value.Length ? parsed : 0;
        bool chunked = head.TryGetHeader(payload, "Transfer-Encoding"u8, out ReadOnlySpan<byte> encoding) && encoding.IndexOf("chunked"u8) >= 0;
        _bodyLeft = length - (payload.Length - head.BodyStart);
        return chunked || _bodyLeft > 0 ? Body : Complete;
    }
}
