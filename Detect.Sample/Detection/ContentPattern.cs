using System.Globalization;
using System.Text;

namespace Detect.Sample.Detection;

/// <summary>
/// A <c>content</c> match: bytes (with <c>|hex|</c> runs), optionally case-insensitive or negated,
/// and placed in the payload by the absolute modifiers <c>offset</c>, <c>depth</c>,
/// <c>startswith</c> (offset 0, depth its length) and <c>endswith</c> (ending where the payload ends).
/// </summary>
internal sealed class ContentPattern
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

    public void SetNoCase() => NoCase = true;

    public void SetOffset(int offset) => Offset = offset;

    public void SetDepth(int depth) => Depth = depth >= _bytes.Length ? depth : throw new RuleSyntaxException($"depth {depth} is shorter than the content ({_bytes.Length} bytes)");

    public void SetStartsWith()
    {
        Offset = 0;
        Depth = _bytes.Length;
    }

    public void SetEndsWith() => EndsWith = true;

    /// <summary>Whether the pattern occurs in <paramref name="payload"/> where its modifiers allow (ignoring <see cref="Negated"/>).</summary>
    public bool Occurs(ReadOnlySpan<byte> payload)
    {
        int start = Offset;
        int end = Depth > 0 ? (int)Math.Min(payload.Length, (long)Offset + Depth) : payload.Length;
        if (EndsWith)
        {
            if (end != payload.Length)
            {
                return false;
            }

            start = Math.Max(start, payload.Length - _bytes.Length);
        }

        return end - start >= _bytes.Length && OccursIn(payload[start..end]);
    }

    private bool OccursIn(ReadOnlySpan<byte> payload)
    {
        if (!NoCase)
        {
            return payload.IndexOf(_bytes) >= 0;
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
                return false;
            }

            int at = start + found;
            if (Ascii.EqualsIgnoreCase(payload.Slice(at, _bytes.Length), _bytes))
            {
                return true;
            }

            start = at + 1;
        }

        return false;
    }
}
