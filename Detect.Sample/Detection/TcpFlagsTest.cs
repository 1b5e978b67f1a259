namespace Detect.Sample.Detection;

/// <summary>
/// The <c>flags</c> keyword: <c>[!|+|*]FSRPAUCE0[,ignored]</c>. Without a modifier exactly the listed
/// flags are set (among those not ignored); <c>+</c> at least them; <c>*</c> any of them; <c>!</c> not exactly them;
/// <c>0</c> none. C is CWR and E is ECE (Suricata also takes 1 and 2 for them).
/// </summary>
internal readonly record struct TcpFlagsTest(byte Flags, byte Ignored, char Modifier)
{
    public bool Matches(int tcpFlags)
    {
        if (tcpFlags < 0)
        {
            return false;
        }

        byte flags = (byte)(tcpFlags & ~Ignored);
        return Modifier switch
        {
            '+' => (flags & Flags) == Flags,
            '*' => (flags & Flags) != 0,
            '!' => flags != Flags,
            _ => flags == Flags,
        };
    }

    public static TcpFlagsTest Parse(string value)
    {
        string[] parts = value.Split(',', 2, StringSplitOptions.TrimEntries);
        string text = parts[0];
        char modifier = ' ';
        if (text.Length > 0 && text[0] is '!' or '+' or '*')
        {
            modifier = text[0];
            text = text[1..];
        }
        else if (text.Length > 1 && text[^1] is '+' or '*')
        {
            modifier = text[^1];
            text = text[..^1];
        }

        byte flags = Letters(text, "flags");
        byte ignored = parts.Length > 1 ? Letters(parts[1], "flags mask") : (byte)0;
        return new TcpFlagsTest(flags, ignored, modifier);
    }

    private static byte Letters(string text, string what)
    {
        if (text.Length == 0)
        {
            throw new RuleSyntaxException($"{what}: no flags given; expected letters of FSRPAUCE or 0");
        }

        byte flags = 0;
        foreach (char c in text)
        {
            flags |= char.ToUpperInvariant(c) switch
            {
                'F' => (byte)0x01,
                'S' => (byte)0x02,
                'R' => (byte)0x04,
                'P' => (byte)0x08,
                'A' => (byte)0x10,
                'U' => (byte)0x20,
                'E' or '2' => (byte)0x40,
                'C' or '1' => (byte)0x80,
                '0' => (byte)0,
                _ => throw new RuleSyntaxException($"{what}: '{c}' is not a TCP flag; expected F, S, R, P, A, U, C, E or 0"),
            };
        }

        return flags;
    }
}
