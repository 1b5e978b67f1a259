using System.Buffers.Text;
using System.Text;

namespace Detect.Sample.Detection;

/// <summary>
/// Where the parts of an HTTP/1.x request or response head lie in one packet's payload: the start
/// line's fields, the header lines and the body bytes that follow the head in the same packet (as
/// many as Content-Length says; none for a request without it, unless chunked), and where the next
/// message starts when the packet carries several (pipelined requests). Offsets only, so parsing
/// allocates nothing; a head split over several segments is not joined.
/// </summary>
internal readonly struct HttpHead
{
    private readonly int _lineEnd;
    private readonly int _firstEnd;
    private readonly int _secondStart;
    private readonly int _secondEnd;
    private readonly int _thirdStart;
    private readonly int _headersStart;
    private readonly int _headersEnd;
    private readonly int _bodyStart;
    private readonly int _bodyEnd;
    private readonly int _end;

    private HttpHead(bool request, int lineEnd, int firstEnd, int secondStart, int secondEnd, int thirdStart, int headersStart, int headersEnd, int bodyStart, int bodyEnd = -1, int end = -1)
    {
        IsRequest = request;
        _lineEnd = lineEnd;
        _firstEnd = firstEnd;
        _secondStart = secondStart;
        _secondEnd = secondEnd;
        _thirdStart = thirdStart;
        _headersStart = headersStart;
        _headersEnd = headersEnd;
        _bodyStart = bodyStart;
        _bodyEnd = bodyEnd;
        _end = end;
        IsValid = true;
    }

    /// <summary>A start line was found.</summary>
    public bool IsValid { get; }

    /// <summary>A request (else a response).</summary>
    public bool IsRequest { get; }

    /// <summary>Parses the head at the start of <paramref name="payload"/>: a request line "METHOD URI VERSION" or a status line "HTTP/x.y CODE MESSAGE".</summary>
    public static HttpHead Parse(ReadOnlySpan<byte> payload)
    {
        int lineEnd = payload.IndexOf((byte)'\n');
        if (lineEnd <= 0)
        {
            return default;
        }

        int lineLength = payload[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        ReadOnlySpan<byte> line = payload[..lineLength];
        int firstEnd = line.IndexOf((byte)' ');
        if (firstEnd <= 0)
        {
            return default;
        }

        int secondStart = firstEnd + 1;
        int secondLength = line[secondStart..].IndexOf((byte)' ');
        int secondEnd = secondLength < 0 ? lineLength : secondStart + secondLength;
        int thirdStart = secondLength < 0 ? lineLength : secondEnd + 1;
        bool request = !line.StartsWith("HTTP/"u8);
        int headersStart = lineEnd + 1;
        int headersEnd = headersStart;
        int bodyStart = -1;
        while (headersEnd < payload.Length)
        {
            int next = payload[headersEnd..].IndexOf((byte)'\n');
            if (next < 0)
            {
                headersEnd = payload.Length;
                break;
            }

            bool blank = next == 0 || (next == 1 && payload[headersEnd] == '\r');
            if (blank)
            {
                bodyStart = headersEnd + next + 1;
                break;
            }

            headersEnd += next + 1;
        }

        var head = new HttpHead(request, lineLength, firstEnd, secondStart, secondEnd, thirdStart, headersStart, headersEnd, bodyStart);
        if (bodyStart < 0)
        {
            return head;
        }

        int bodyEnd = payload.Length, end = -1;
        long missing = 0;
        if (head.TryGetHeader(payload, "Content-Length"u8, out ReadOnlySpan<byte> length)
            && Utf8Parser.TryParse(length, out long declared, out int consumed) && consumed == length.Length && declared >= 0)
        {
            bodyEnd = (int)Math.Min(bodyStart + declared, payload.Length);
            end = bodyStart + declared <= payload.Length ? bodyEnd : -1;
            missing = bodyStart + declared - payload.Length;
        }
        else if (request && !head.TryGetHeader(payload, "Transfer-Encoding"u8, out _))
        {
            // A request without Content-Length or a chunked body has none: the next request follows the head.
            bodyEnd = end = bodyStart;
        }

        return new HttpHead(request, lineLength, firstEnd, secondStart, secondEnd, thirdStart, headersStart, headersEnd, bodyStart, bodyEnd, end) { MissingBodyBytes = Math.Max(missing, 0) };
    }

    /// <summary>Body bytes Content-Length declares beyond this payload (0 when the body ends in it, or its length is not declared).</summary>
    public long MissingBodyBytes { get; private init; }

    /// <summary>Where the next message starts in the payload (its head and body end there and more bytes follow); -1 when it is not known to.</summary>
    public int End => IsValid && _end >= 0 ? _end : -1;

    /// <summary>The bytes of <paramref name="buffer"/> in <paramref name="payload"/>; false when this head has no such part.</summary>
    public bool TryGet(ReadOnlySpan<byte> payload, RuleBuffer buffer, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (!IsValid)
        {
            return false;
        }

        (int start, int end) = buffer switch
        {
            RuleBuffer.HttpMethod when IsRequest => (0, _firstEnd),
            RuleBuffer.HttpUri or RuleBuffer.HttpRawUri when IsRequest => (_secondStart, _secondEnd),
            RuleBuffer.HttpProtocol => IsRequest ? (_thirdStart, _lineEnd) : (0, _firstEnd),
            RuleBuffer.HttpRequestLine when IsRequest => (0, _lineEnd),
            RuleBuffer.HttpResponseLine when !IsRequest => (0, _lineEnd),
            RuleBuffer.HttpStatCode when !IsRequest => (_secondStart, _secondEnd),
            RuleBuffer.HttpStatMsg when !IsRequest => (_thirdStart, _lineEnd),
            RuleBuffer.HttpHeader or RuleBuffer.HttpRawHeader => (_headersStart, _headersEnd),
            RuleBuffer.HttpRequestBody when IsRequest && _bodyStart >= 0 => (_bodyStart, _bodyEnd),
            RuleBuffer.HttpResponseBody when !IsRequest && _bodyStart >= 0 => (_bodyStart, _bodyEnd),
            RuleBuffer.HttpHost or RuleBuffer.HttpRawHost when IsRequest => Header(payload, "Host"u8),
            RuleBuffer.HttpUserAgent when IsRequest => Header(payload, "User-Agent"u8),
            RuleBuffer.HttpCookie => Header(payload, IsRequest ? "Cookie"u8 : "Set-Cookie"u8),
            RuleBuffer.HttpConnection => Header(payload, "Connection"u8),
            RuleBuffer.HttpContentType => Header(payload, "Content-Type"u8),
            RuleBuffer.HttpReferer when IsRequest => Header(payload, "Referer"u8),
            RuleBuffer.HttpAccept when IsRequest => Header(payload, "Accept"u8),
            RuleBuffer.HttpServer when !IsRequest => Header(payload, "Server"u8),
            RuleBuffer.HttpLocation when !IsRequest => Header(payload, "Location"u8),
            _ => (-1, -1),
        };
        if (start < 0 || end < start)
        {
            return false;
        }

        bytes = payload[start..end];
        return bytes.Length > 0;
    }

    /// <summary>Where the body starts in the payload: the head ended (blank line) in this packet; -1 when it did not.</summary>
    public int BodyStart => IsValid ? _bodyStart : -1;

    /// <summary>The trimmed value of the first header named <paramref name="name"/> (case-insensitive); false when there is none.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        (int start, int end) = IsValid ? Header(payload, name) : (-1, -1);
        value = start < 0 ? default : payload[start..end];
        return start >= 0;
    }

    /// <summary>The trimmed value of the first header named <paramref name="name"/> (case-insensitive), or (-1, -1).</summary>
    private (int Start, int End) Header(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> name)
    {
        int at = _headersStart;
        while (at < _headersEnd)
        {
            int next = payload[at.._headersEnd].IndexOf((byte)'\n');
            int lineEnd = next < 0 ? _headersEnd : at + next;
            ReadOnlySpan<byte> line = payload[at..lineEnd];
            if (line.Length > name.Length && line[name.Length] == ':' && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                int start = at + name.Length + 1;
                int end = lineEnd > at && payload[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
                while (start < end && payload[start] is (byte)' ' or (byte)'\t')
                {
                    start++;
                }

                while (end > start && payload[end - 1] is (byte)' ' or (byte)'\t')
                {
                    end--;
                }

                return (start, end);
            }

            at = lineEnd + 1;
        }

        return (-1, -1);
    }
}
