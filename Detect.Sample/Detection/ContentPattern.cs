using System.Globalization;
using System.Text;

namespace Detect.Sample.Detection;

/// <summary>
/// A <c>content</c> match: bytes (with <c>|hex|</c> runs), optionally case-insensitive or negated,
/// and placed in its buffer by the absolute modifiers <c>offset</c>, <c>depth</c>,
/// <c>startswith</c> (offset 0, depth its length) and <c>endswith</c> (ending where the buffer ends),
/// or relative to the previous match in the buffer by <c>distance</c> and <c>within</c>.
/// </summary>
internal sealed class ContentPattern : IRulePattern
{
    private readonly byte[] _bytes;

    private ContentPattern(byte[] bytes, bool negated)
    {
        _bytes = bytes;
        Negated = negated;
    }

    public bool Negated { get; }

    public bool NoCase { get; private set; }

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Parses the value of <c>content:</c> ("text|0d 0a|more", optionally prefixed by '!').</summary>
    public static ContentPattern Parse(string value)
    {
        value = value.Trim();
        bool negated = false;
        if (value.StartsWith('!'))
        {
            negated = true;
            value = value[1..].TrimStart();
        }

        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            throw new RuleSyntaxException($"content must be a quoted string, found {value}");
        }

        var bytes = new List<byte>();
        string inner = value[1..^1];
        bool hex = false;
        var hexDigits = new StringBuilder();
        for (int i = 0; i < inner.Length; i++)
        {
            char c = inner[i];
            if (c == '|')
            {
                if (hex)
                {
                    if (hexDigits.Length % 2 != 0)
                    {
                        throw new RuleSyntaxException($"content hex run |{hexDigits}| has an odd number of digits");
                    }

                    for (int h = 0; h < hexDigits.Length; h += 2)
                    {
                        bytes.Add(byte.Parse(hexDigits.ToString(h, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    }

                    hexDigits.Clear();
                }

                hex = !hex;
                continue;
            }

            if (hex)
            {
                if (c == ' ')
                {
                    continue;
                }

                if (!char.IsAsciiHexDigit(c))
                {
                    throw new RuleSyntaxException($"content hex run contains '{c}', expected hex digits");
                }

                hexDigits.Append(c);
                continue;
            }

            if (c == '\\' && i + 1 < inner.Length)
            {
                c = inner[++i];
            }
            else if (c is '"' or ';')
            {
                throw new RuleSyntaxException($"content contains an unescaped '{c}'; write \\{c}");
            }

            if (c > 0x7F)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
            else
            {
                bytes.Add((byte)c);
            }
        }

        if (hex)
        {
            throw new RuleSyntaxException("content hex run is not closed by '|'");
        }

        if (bytes.Count == 0)
        {
            throw new RuleSyntaxException("content is empty");
        }

        return new ContentPattern([.. bytes], negated);
    }

    /// <summary>Where the match may start (<c>offset</c>).</summary>
    public int Offset { get; private set; }

    /// <summary>How many bytes from <see cref="Offset"/> the match must lie in (<c>depth</c>); 0 for no limit.</summary>
    public int Depth { get; private set; }

    /// <summary>The match must end where the payload ends (<c>endswith</c>).</summary>
    public bool EndsWith { get; private set; }

    /// <summary><c>distance</c>: the match starts this many bytes after the previous match's end (may be negative); null when not given.</summary>
    public int? Distance { get; private set; }

    /// <summary><c>within</c>: the match ends at most this many bytes after the previous match's end (plus <see cref="Distance"/>); null when not given.</summary>
    public int? Within { get; private set; }

    public bool Relative => Distance.HasValue || Within.HasValue;

    public void SetNoCase() => NoCase = true;

    public void SetDistance(int distance) => Distance = Depth == 0 && Offset == 0 ? distance : throw new RuleSyntaxException("distance cannot be combined with offset or depth on one content");

    public void SetWithin(int within) => Within = within >= _bytes.Length ? within : throw new RuleSyntaxException($"within {within} is shorter than the content ({_bytes.Length} bytes)");

    public void SetOffset(int offset) => Offset = offset;

    public void SetDepth(int depth) => Depth = depth >= _bytes.Length ? depth : throw new RuleSyntaxException($"depth {depth} is shorter than the content ({_bytes.Length} bytes)");

    public void SetStartsWith()
    {
        Offset = 0;
        Depth = _bytes.Length;
    }

    public void SetEndsWith() => EndsWith = true;

    /// <summary>Whether the pattern occurs in <paramref name="payload"/> where its absolute modifiers allow (ignoring <see cref="Negated"/>).</summary>
    public bool Occurs(ReadOnlySpan<byte> payload) => TryFind(payload, 0, 0, out _, out _);

    public bool TryFind(ReadOnlySpan<byte> buffer, int previousEnd, int from, out int start, out int end)
    {
        start = end = -1;
        long low;
        long high;
        if (Relative)
        {
            low = (long)previousEnd + (Distance ?? 0);
            high = Within is int within ? low + within : buffer.Length;
        }
        else
        {
            low = Offset;
            high = Depth > 0 ? (long)Offset + Depth : buffer.Length;
        }

        low = Math.Max(Math.Max(low, 0), from);
        high = Math.Min(high, buffer.Length);
        if (EndsWith)
        {
            if (high != buffer.Length)
            {
                return false;
            }

            low = Math.Max(low, buffer.Length - _bytes.Length);
        }

        if (high - low < _bytes.Length)
        {
            return false;
        }

        int found = IndexIn(buffer[(int)low..(int)high]);
        if (found < 0)
        {
            return false;
        }

        start = (int)low + found;
        end = start + _bytes.Length;
        return true;
    }

    private int IndexIn(ReadOnlySpan<byte> payload)
    {
        if (!NoCase)
        {
            return payload.IndexOf(_bytes);
        }

        byte first = _bytes[0];
        byte lower = (byte)char.ToLowerInvariant((char)first);
        byte upper = (byte)char.ToUpperInvariant((char)first);
        int limit = payload.Length - _bytes.Length;
        int start = 0;
        while (start <= limit)
        {
            int found = lower == upper ? payload[start..].IndexOf(first) : payload[start..].IndexOfAny(lower, upper);
            if (found < 0 || start + found > limit)
            {
                return -1;
            }

            int at = start + found;
            if (Ascii.EqualsIgnoreCase(payload.Slice(at, _bytes.Length), _bytes))
            {
                return at;
            }

            start = at + 1;
        }

        return -1;
    }
}
