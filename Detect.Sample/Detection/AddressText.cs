namespace Detect.Sample.Detection;

/// <summary>
/// Parses a rule's address as <c>inet_pton</c> does: an IPv4 dotted quad (four decimal parts,
/// no leading zeros) or IPv6 groups with at most one <c>::</c> and an optional dotted-quad tail.
/// Our own because the framework's parser is generic code that ReadyToRun leaves to the JIT at start.
/// </summary>
internal static class AddressText
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <returns>The address in network order (4 or 16 bytes), or null when the text is not one.</returns>
    public static byte[]? Parse(ReadOnlySpan<char> text)
    {
        if (text.Contains(':'))
        {
            byte[] v6 = new byte[16];
            return TryParseV6(text, v6) ? v6 : null;
        }

        byte[] v4 = new byte[4];
        return TryParseV4(text, v4) ? v4 : null;
    }

    private static bool TryParseV4(ReadOnlySpan<char> text, Span<byte> destination)
    {
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            ReadOnlySpan<char> digits = text[start..i];
            if (part == 4 || digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0'))
            {
                return false;
            }

            int value = 0;
            foreach (char c in digits)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            if (value > 255)
            {
                return false;
            }

            destination[part++] = (byte)value;
            start = i + 1;
        }

        return part == 4;
    }

    private static bool TryParseV6(ReadOnlySpan<char> text, Span<byte> destination)
    {
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (text.StartsWith("::", StringComparison.Ordinal))
        {
            gap = 0;
            i = 2;
        }

        while (i < text.Length)
        {
            int end = text[i..].IndexOf(':');
            end = end < 0 ? text.Length : i + end;
            ReadOnlySpan<char> group = text[i..end];
            if (group.Contains('.'))
            {
                // A dotted-quad tail is the last two groups.
                Span<byte> quad = stackalloc byte[4];
                if (end != text.Length || count > 6 || !TryParseV4(group, quad))
                {
                    return false;
                }

                groups[count++] = (ushort)((quad[0] << 8) | quad[1]);
                groups[count++] = (ushort)((quad[2] << 8) | quad[3]);
                break;
            }

            if (count == 8 || group.Length is 0 or > 4 || !TryParseHex(group, out ushort value))
            {
                return false;
            }

            groups[count++] = value;
            if (end == text.Length)
            {
                break;
            }

            if (end + 1 < text.Length && text[end + 1] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }

                gap = count;
                i = end + 2;
            }
            else
            {
                i = end + 1;
                if (i == text.Length)
                {
                    return false;
                }
            }
        }

        // Without "::" all eight groups are written; with it, it stands for at least one.
        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        destination.Clear();
        int tail = gap < 0 ? count : count - gap;
        int at = 0;
        for (int g = 0; g < count; g++)
        {
            int slot = g < count - tail ? at++ : 8 - (count - g);
            destination[slot * 2] = (byte)(groups[g] >> 8);
            destination[(slot * 2) + 1] = (byte)groups[g];
        }

        return true;
    }

    private static bool TryParseHex(ReadOnlySpan<char> digits, out ushort value)
    {
        int result = 0;
        foreach (char c in digits)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                value = 0;
                return false;
            }

            result = (result << 4) | digit;
        }

        value = (ushort)result;
        return true;
    }
}
