using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Detect.Sample.Detection;

/// <summary>
/// A <c>pcre</c> match: <c>"/regex/flags"</c> run with .NET's regular expressions over the buffer's
/// bytes read as Latin-1 (one char per byte, so positions are byte offsets). Flags: <c>i s m x</c> as in
/// PCRE, <c>A</c> anchored, <c>E</c> dollar matches only at the end, <c>R</c> relative to the previous
/// match, and Suricata's buffer letters (<c>U I H D M C S Y V W Z P Q</c>); <c>B O</c> change nothing
/// here. Captures name variables as Suricata's: a named group <c>alert_NAME</c>, <c>flow_NAME</c> or
/// <c>pkt_NAME</c>, or the numbered groups in order after the flags (<c>,alert:NAME, flow:NAME, pkt:NAME</c>).
/// </summary>
internal sealed class PcrePattern : IRulePattern
{
    /// <summary>Matching gives up after this long on one buffer, as PCRE's match limit does.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;
    private readonly bool _anchored;

    private PcrePattern(Regex regex, bool negated, bool relative, bool anchored, RuleBuffer? buffer, IReadOnlyList<PcreCapture> captures)
    {
        Captures = captures;
        _regex = regex;
        Negated = negated;
        Relative = relative;
        _anchored = anchored;
        Buffer = buffer;
    }

    public bool Negated { get; }

    public bool Relative { get; }

    /// <summary>The buffer a flag letter names, or null for the rule's current buffer.</summary>
    public RuleBuffer? Buffer { get; }

    /// <summary>The groups that name variables, none for most.</summary>
    public IReadOnlyList<PcreCapture> Captures { get; }

    /// <summary>Parses the value of <c>pcre:</c>.</summary>
    public static PcrePattern Parse(string value)
    {
        value = value.Trim();
        bool negated = false;
        if (value.StartsWith('!'))
        {
            negated = true;
            value = value[1..].TrimStart();
        }

        if (value.Length < 2 || value[0] != '"')
        {
            throw new RuleSyntaxException($"pcre must be a quoted \"/regex/flags\", found {value}");
        }

        int close = value.LastIndexOf('"');
        string inner = value[1..close].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\;", ";", StringComparison.Ordinal);
        int slash = inner.LastIndexOf('/');
        if (inner.Length < 2 || inner[0] != '/' || slash == 0)
        {
            throw new RuleSyntaxException($"pcre '{inner}' is not /regex/flags");
        }

        string pattern = inner[1..slash];
        string flags = inner[(slash + 1)..];
        int comma = flags.IndexOf(',', StringComparison.Ordinal);
        string names = string.Empty;
        if (comma >= 0)
        {
            names = flags[(comma + 1)..];
            flags = flags[..comma];
        }

        var options = RegexOptions.CultureInvariant;
        bool relative = false;
        bool anchored = false;
        RuleBuffer? buffer = null;
        foreach (char flag in flags.Trim())
        {
            switch (flag)
            {
                case 'i': options |= RegexOptions.IgnoreCase; break;
                case 's': options |= RegexOptions.Singleline; break;
                case 'm': options |= RegexOptions.Multiline; break;
                case 'x': options |= RegexOptions.IgnorePatternWhitespace; break;
                case 'A': anchored = true; break;
                case 'E': pattern = pattern.EndsWith('$') ? pattern[..^1] + @"\z" : pattern; break;
                case 'R': relative = true; break;
                case 'B' or 'O': break;
                default:
                    buffer = BufferOf(flag) ?? throw new RuleSyntaxException($"pcre flag '{flag}' is not supported; expected i, s, m, x, A, E, R, B, O or a buffer letter (U I H D M C S Y V W Z P Q)");
                    break;
            }
        }

        // PCRE's named groups (?P<name>...) and back-references (?P=name) in .NET's spelling.
        pattern = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        pattern = Regex.Replace(pattern, @"\(\?P=(?<name>\w+)\)", @"\k<${name}>", RegexOptions.ExplicitCapture, MatchTimeout);
        try
        {
            var regex = new Regex(pattern, options, MatchTimeout);
            return new PcrePattern(regex, negated, relative, anchored, buffer, CapturesOf(regex, names));
        }
        catch (ArgumentException e)
        {
            throw new RuleSyntaxException($"pcre '/{pattern}/': {e.Message}", e);
        }
    }

    /// <summary>The variables <paramref name="names"/> (after the flags) and the regex's prefixed named groups name.</summary>
    private static PcreCapture[] CapturesOf(Regex regex, string names)
    {
        List<PcreCapture> captures = [];
        int group = 1;
        foreach (string entry in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            PcreCaptureKind? kind = colon > 0 ? KindOf(entry[..colon]) : null;
            if (kind is null || colon == entry.Length - 1)
            {
                throw new RuleSyntaxException($"pcre capture '{entry}' is not alert:NAME, flow:NAME or pkt:NAME");
            }

            captures.Add(new PcreCapture(kind.Value, entry[(colon + 1)..].Trim(), group++));
        }

        foreach (string name in regex.GetGroupNames())
        {
            int underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore > 0 && underscore < name.Length - 1 && KindOf(name[..underscore]) is { } kind)
            {
                captures.Add(new PcreCapture(kind, name[(underscore + 1)..], regex.GroupNumberFromName(name)));
            }
        }

        return [.. captures];
    }

    private static PcreCaptureKind? KindOf(string prefix) => prefix switch
    {
        "alert" => PcreCaptureKind.Alert,
        "flow" => PcreCaptureKind.Flow,
        "pkt" => PcreCaptureKind.Packet,
        _ => null,
    };

    /// <summary>Adds the variables the first match in <paramref name="buffer"/> captures, under <paramref name="sid"/>; a group that took no part adds none.</summary>
    public void Capture(ReadOnlySpan<byte> buffer, long sid, List<CapturedVariable> into)
    {
        try
        {
            Match match = _regex.Match(Encoding.Latin1.GetString(buffer));
            if (!match.Success || (_anchored && match.Index != 0))
            {
                return;
            }

            foreach (PcreCapture capture in Captures)
            {
                Group group = match.Groups[capture.Group];
                if (group.Success)
                {
                    into.Add(new CapturedVariable(sid, capture.Kind, capture.Name, group.Value));
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // As a match that gave up: nothing captured.
        }
    }

    public bool TryFind(ReadOnlySpan<byte> buffer, int previousEnd, int from, out int start, out int end)
    {
        start = end = -1;
        int origin = Relative ? Math.Min(previousEnd, buffer.Length) : 0;
        ReadOnlySpan<byte> window = buffer[origin..];
        int first = Math.Max(from - origin, 0);
        if (first > window.Length)
        {
            return false;
        }

        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(window.Length, 1));
        try
        {
            int length = Encoding.Latin1.GetChars(window, chars);
            foreach (ValueMatch match in _regex.EnumerateMatches(chars.AsSpan(0, length), first))
            {
                if (_anchored && match.Index != 0)
                {
                    return false;
                }

                start = origin + match.Index;
                end = start + match.Length;
                return true;
            }

            return false;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static RuleBuffer? BufferOf(char flag) => flag switch
    {
        'U' => RuleBuffer.HttpUri,
        'I' => RuleBuffer.HttpRawUri,
        'H' => RuleBuffer.HttpHeader,
        'D' => RuleBuffer.HttpRawHeader,
        'M' => RuleBuffer.HttpMethod,
        'C' => RuleBuffer.HttpCookie,
        'S' => RuleBuffer.HttpStatCode,
        'Y' => RuleBuffer.HttpStatMsg,
        'V' => RuleBuffer.HttpUserAgent,
        'W' => RuleBuffer.HttpHost,
        'Z' => RuleBuffer.HttpRawHost,
        'P' => RuleBuffer.HttpRequestBody,
        'Q' => RuleBuffer.HttpResponseBody,
        _ => null,
    };
}
