using System.Globalization;
using System.Net;
using System.Text.Json;
using Capture.Abstractions;

namespace Detect.Sample.Output;

/// <summary>
/// Suricata's spellings of EVE values: timestamps, protocol names, MAC addresses. Written straight
/// into UTF-8 (no format strings, no IPAddress for IPv4): a flow event is formatted per flow end.
/// </summary>
internal static class EveFormat
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    private static readonly JsonEncodedText Icmp = JsonEncodedText.Encode("ICMP"u8);
    private static readonly JsonEncodedText Tcp = JsonEncodedText.Encode("TCP"u8);
    private static readonly JsonEncodedText Udp = JsonEncodedText.Encode("UDP"u8);
    private static readonly JsonEncodedText Gre = JsonEncodedText.Encode("GRE"u8);
    private static readonly JsonEncodedText Esp = JsonEncodedText.Encode("ESP"u8);
    private static readonly JsonEncodedText Icmpv6 = JsonEncodedText.Encode("IPv6-ICMP"u8);
    private static readonly JsonEncodedText Sctp = JsonEncodedText.Encode("SCTP"u8);

    /// <summary>Writes <c>2026-11-21T21:42:59.123456+0000</c> (UTC, microseconds), as Suricata does.</summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, string property, long nanoseconds)
    {
        Span<byte> text = stackalloc byte[40];
        int length = FormatTimestamp(nanoseconds, text);
        writer.WriteString(property, text[..length]);
    }

    /// <summary>Formats <c>yyyy-MM-ddTHH:mm:ss.ffffff+0000</c>; returns the length (31 for years 1-9999).</summary>
    public static int FormatTimestamp(long nanoseconds, Span<byte> destination)
    {
        DateTime time = DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
        (int year, int month, int day) = time;
        long ticksOfDay = time.Ticks % TimeSpan.TicksPerDay;
        int seconds = (int)(ticksOfDay / TicksPerSecond);
        int micros = (int)(ticksOfDay % TicksPerSecond / 10);
        if (destination.Length < 31)
        {
            throw new ArgumentException("a timestamp needs 31 bytes", nameof(destination));
        }

        Digits(destination, 0, year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, seconds / 3600, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, seconds / 60 % 60, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, seconds % 60, 2);
        destination[19] = (byte)'.';
        Digits(destination, 20, micros, 6);
        "+0000"u8.CopyTo(destination[26..]);
        return 31;
    }

    /// <summary>Writes the protocol's EVE name (pre-encoded for the named ones, the number otherwise).</summary>
    public static void WriteProtocol(Utf8JsonWriter writer, JsonEncodedText property, byte protocol)
    {
        JsonEncodedText name = protocol switch
        {
            1 => Icmp,
            6 => Tcp,
            17 => Udp,
            47 => Gre,
            50 => Esp,
            58 => Icmpv6,
            132 => Sctp,
            _ => default,
        };
        if (name.EncodedUtf8Bytes.Length > 0)
        {
            writer.WriteString(property, name);
            return;
        }

        Span<byte> text = stackalloc byte[3];
        protocol.TryFormat(text, out int written, default, CultureInfo.InvariantCulture);
        writer.WriteString(property, text[..written]);
    }

    public static bool HasPorts(byte protocol) => protocol is 6 or 17 or 132;

    public static void WriteAddress(Utf8JsonWriter writer, string property, FlowAddress address, bool isIPv6)
    {
        Span<byte> text = stackalloc byte[64];
        int written = FormatAddress(address, isIPv6, text);
        writer.WriteString(property, text[..written]);
    }

    /// <summary>Writes an address under a pre-encoded property name.</summary>
    public static void WriteAddress(Utf8JsonWriter writer, JsonEncodedText property, FlowAddress address, bool isIPv6)
    {
        Span<byte> text = stackalloc byte[64];
        int written = FormatAddress(address, isIPv6, text);
        writer.WriteString(property, text[..written]);
    }

    /// <summary>IPv4 dotted quad written directly; IPv6 through <see cref="IPAddress"/> (RFC 5952 text).</summary>
    public static int FormatAddress(FlowAddress address, bool isIPv6, Span<byte> destination)
    {
        if (isIPv6)
        {
            address.ToIPAddress(isIPv6: true).TryFormat(destination, out int written);
            return written;
        }

        Span<byte> bytes = stackalloc byte[4];
        address.CopyIPv4To(bytes);
        int at = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)'.';
            }

            int octet = bytes[i];
            if (octet >= 100)
            {
                destination[at++] = (byte)('0' + (octet / 100));
            }

            if (octet >= 10)
            {
                destination[at++] = (byte)('0' + (octet / 10 % 10));
            }

            destination[at++] = (byte)('0' + (octet % 10));
        }

        return at;
    }

    public static void FormatMac(ulong mac, Span<byte> text)
    {
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(mac >> (8 * (5 - i)));
            text[i * 3] = Hex(octet >> 4);
            text[(i * 3) + 1] = Hex(octet & 0xF);
            if (i < 5)
            {
                text[(i * 3) + 2] = (byte)':';
            }
        }
    }

    public static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static void Digits(Span<byte> destination, int at, int value, int count)
    {
        for (int i = at + count - 1; i >= at; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
