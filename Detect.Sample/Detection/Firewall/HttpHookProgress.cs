using System.Diagnostics;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// How far one direction of an HTTP/1 connection got, in the states of Suricata's http1 hooks
/// (libhtp's progress: 0 started, 1 line, 2 headers, 3 body, 4 trailer, 5 complete), as the packets
/// of that direction come in order. The bytes are followed across segments with a few fields of
/// state (no reassembly, no allocation): the start line and the head until its blank line (so a
/// head's continuation is never taken for a new start line), a Content-Length body counted down,
/// a chunked body's size lines, data, last chunk and trailers. Once a message is complete, the next
/// bytes (leading blank lines skipped) start the next transaction, which goes through the hooks again.
/// Fail-closed: bytes a state cannot parse (a chunk-size line that is not hex, no CRLF after chunk
/// data, a Content-Length that is not a number) complete the transaction, and those bytes start
/// the next one. A request without a length has no body; a status 1xx/204/304 response has none; another
/// response without a length has a body to the connection's close (RFC 9112 6.3). Requests and responses
/// are not paired: a response to HEAD that carries a Content-Length is taken to have that body.
/// </summary>
internal struct HttpHookProgress
{
    public const int Started = 0, Line = 1, Headers = 2, Body = 3, Trailer = 4, Complete = 5;

    // Where the parser is in the direction's byte stream.
    private const byte Idle = 0, StartLine = 1, HeaderLineStart = 2, HeaderName = 3, HeaderValue = 4,
        LengthBody = 5, ChunkSize = 6, ChunkExtension = 7, ChunkData = 8, ChunkDataEnd = 9, TrailerLineStart = 10, TrailerLine = 11, CloseBody = 12;

    // Header names the body's framing depends on; matched byte by byte, lower case.
    private const byte ContentLengthHeader = 1, TransferEncodingHeader = 2;
    private static ReadOnlySpan<byte> ContentLengthName => "content-length"u8;
    private static ReadOnlySpan<byte> TransferEncodingName => "transfer-encoding"u8;
    private static ReadOnlySpan<byte> ChunkedToken => "chunked"u8;

    // Bodies beyond this are taken as unparseable (it also keeps the countdown from overflowing).
    private const long MaxLength = 1L << 48;

    private byte _phase;
    private byte _candidates;   // header names the current name may still be
    private byte _valueOf;      // the header whose value is being read
    private byte _chunkedAt;    // bytes of "chunked" matched in a Transfer-Encoding value
    private bool _chunked;
    private bool _badLength;
    private bool _digits;       // the current number has a digit
    private int _nameAt;
    private int _lineSpaces;    // spaces seen in the start line (the status code follows the first)
    private int _status;
    private long _contentLength; // -1: none
    private long _left;          // body or chunk bytes still to come; a chunk size while it is read

    /// <summary>The transaction's number in this direction (0: none yet).</summary>
    public int Transaction { get; private set; }

    /// <summary>The current transaction's state (meaningless while <see cref="Transaction"/> is 0).</summary>
    public int Progress { get; private set; }

    /// <summary>
    /// Feeds a packet's payload from its start, or from where the last call stopped; stops right
    /// after a transaction completes so that the hooks of the next one are run for the rest.
    /// Returns whether the transaction or its state moved (Suricata's app-layer update).
    /// </summary>
    /// <param name="payload">The bytes not fed yet.</param>
    /// <param name="toServer">The direction: requests (else responses, whose status line is read).</param>
    /// <param name="used">How many bytes of <paramref name="payload"/> were taken.</param>
    public bool Update(ReadOnlySpan<byte> payload, bool toServer, out int used)
    {
        int transaction = Transaction, before = Progress;
        used = 0;
        while (used < payload.Length)
        {
            if (_phase == Idle)
            {
                if (payload[used] is (byte)'\r' or (byte)'\n')
                {
                    used++;
                    continue;
                }

                Begin();
            }

            if (!Step(payload, toServer, ref used))
            {
                // The byte at `used` does not parse here: the transaction ends, and that byte starts the next one.
                Finish();
                break;
            }

            if (Progress == Complete)
            {
                break;
            }
        }

        Debug.Assert(used > 0 || Progress != before || Transaction != transaction || payload.IsEmpty, "A call takes bytes or moves the state.");
        return Transaction != transaction || Progress != before;
    }

    private void Begin()
    {
        Transaction++;
        Progress = Started;
        _phase = StartLine;
        _lineSpaces = 0;
        _status = 0;
        _contentLength = -1;
        _chunked = false;
        _badLength = false;
    }

    /// <summary>Takes bytes in the current phase; false when the byte at <paramref name="at"/> cannot be parsed in it.</summary>
    private bool Step(ReadOnlySpan<byte> payload, bool toServer, ref int at)
    {
        switch (_phase)
        {
            case CloseBody:
                at = payload.Length;
                return true;
            case LengthBody:
            case ChunkData:
                int take = (int)Math.Min(_left, payload.Length - at);
                at += take;
                _left -= take;
                if (_left == 0)
                {
                    if (_phase == LengthBody)
                    {
                        Finish();
                    }
                    else
                    {
                        _phase = ChunkDataEnd;
                    }
                }

                return true;
            default:
                byte b = payload[at];
                if (!Byte(b, toServer))
                {
                    return false;
                }

                at++;
                return true;
        }
    }

    private bool Byte(byte b, bool toServer)
    {
        switch (_phase)
        {
            case StartLine:
                if (b == '\n')
                {
                    Progress = Line;
                    _phase = HeaderLineStart;
                }
                else if (b == ' ')
                {
                    _lineSpaces++;
                }
                else if (!toServer && _lineSpaces == 1 && b is >= (byte)'0' and <= (byte)'9' && _status < 1000)
                {
                    _status = (_status * 10) + (b - '0');
                }

                return true;
            case HeaderLineStart:
                if (b == '\n')
                {
                    EndHead(toServer);
                }
                else if (b != '\r')
                {
                    _candidates = ContentLengthHeader | TransferEncodingHeader;
                    _nameAt = 0;
                    _phase = HeaderName;
                    Name(b);
                }

                return true;
            case HeaderName:
                Name(b);
                return true;
            case HeaderValue:
                Value(b);
                return true;
            case ChunkSize:
                return SizeByte(b);
            case ChunkExtension:
                return b != '\n' || EndSizeLine();
            case ChunkDataEnd:
                if (b == '\n')
                {
                    _phase = ChunkSize;
                    _left = 0;
                    _digits = false;
                    return true;
                }

                return b == '\r';
            case TrailerLineStart:
                if (b == '\n')
                {
                    Finish();
                }
                else if (b != '\r')
                {
                    _phase = TrailerLine;
                }

                return true;
            case TrailerLine:
                if (b == '\n')
                {
                    _phase = TrailerLineStart;
                }

                return true;
            default:
                Debug.Fail("Bodies are taken in Step.");
                return false;
        }
    }

    private void Name(byte b)
    {
        if (b == '\n')
        {
            // A header line without a colon: ignored, as libhtp does.
            _phase = HeaderLineStart;
            return;
        }

        if (b == ':')
        {
            _valueOf = (_candidates & ContentLengthHeader) != 0 && _nameAt == ContentLengthName.Length ? ContentLengthHeader
                : (_candidates & TransferEncodingHeader) != 0 && _nameAt == TransferEncodingName.Length ? TransferEncodingHeader : (byte)0;
            if (_valueOf == ContentLengthHeader)
            {
                // A second Content-Length (a smuggling classic) is read like the first: the last one counts.
                _contentLength = 0;
                _digits = false;
            }

            _chunkedAt = 0;
            _phase = HeaderValue;
            return;
        }

        byte lower = (byte)(b | 0x20);
        if (_nameAt >= ContentLengthName.Length || ContentLengthName[_nameAt] != lower)
        {
            _candidates &= unchecked((byte)~ContentLengthHeader);
        }

        if (_nameAt >= TransferEncodingName.Length || TransferEncodingName[_nameAt] != lower)
        {
            _candidates &= unchecked((byte)~TransferEncodingHeader);
        }

        _nameAt++;
    }

    private void Value(byte b)
    {
        if (b == '\n')
        {
            if (_valueOf == ContentLengthHeader && !_digits)
            {
                _badLength = true;
            }

            _phase = HeaderLineStart;
            return;
        }

        if (_valueOf == ContentLengthHeader && b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
        {
            if (b is >= (byte)'0' and <= (byte)'9' && _contentLength < MaxLength)
            {
                _contentLength = (_contentLength * 10) + (b - '0');
                _digits = true;
            }
            else
            {
                _badLength = true;
            }
        }
        else if (_valueOf == TransferEncodingHeader && !_chunked)
        {
            byte lower = (byte)(b | 0x20);
            _chunkedAt = ChunkedToken[_chunkedAt] == lower ? (byte)(_chunkedAt + 1) : lower == ChunkedToken[0] ? (byte)1 : (byte)0;
            _chunked = _chunkedAt == ChunkedToken.Length;
        }
    }

    private void EndHead(bool toServer)
    {
        bool noBody = !toServer && (_status is >= 100 and < 200 or 204 or 304);
        if (noBody)
        {
            Finish();
        }
        else if (_chunked)
        {
            // Chunked framing wins over Content-Length (RFC 9112 6.3).
            Progress = Body;
            _phase = ChunkSize;
            _left = 0;
            _digits = false;
        }
        else if (_badLength)
        {
            // A length that is not a number: the body cannot be framed, so what follows starts the next transaction.
            Finish();
        }
        else if (!toServer && _contentLength < 0)
        {
            Progress = Body;
            _phase = CloseBody;
        }
        else if (_contentLength > 0)
        {
            Progress = Body;
            _phase = LengthBody;
            _left = _contentLength;
        }
        else
        {
            Finish();
        }
    }

    private bool SizeByte(byte b)
    {
        int digit = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        if (digit >= 0)
        {
            if (_left >= MaxLength)
            {
                return false;
            }

            _left = (_left * 16) + digit;
            _digits = true;
            return true;
        }

        switch (b)
        {
            case (byte)';' or (byte)' ' or (byte)'\t' when _digits:
                _phase = ChunkExtension;
                return true;
            case (byte)'\r':
                return _digits;
            case (byte)'\n':
                return EndSizeLine();
            default:
                return false;
        }
    }

    private bool EndSizeLine()
    {
        if (!_digits)
        {
            return false;
        }

        if (_left == 0)
        {
            Progress = Trailer;
            _phase = TrailerLineStart;
        }
        else
        {
            _phase = ChunkData;
        }

        return true;
    }

    private void Finish()
    {
        Progress = Complete;
        _phase = Idle;
    }
}
