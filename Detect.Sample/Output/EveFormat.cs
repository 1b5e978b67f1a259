using System.Globalization;
using System.Text.Json;
using Capture.Abstractions;

namespace Detect.Sample.Output;

/// <summary>Suricata's spellings of EVE values: timestamps, protocol names, MAC addresses.</summary>
internal static class EveFormat
{
    /// <summary>Writes <c>2026-11-21T21:42:59.123456+0000</c> (UTC, microseconds), as Suricata does.</summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, string property, long nanoseconds)
    {
        Span<byte> text = stackalloc byte[40];
        int length = FormatTimestamp(nanoseconds, text);
        writer.WriteString(property, text[..length]);
    }

    public static int FormatTimestamp(long nanoseconds, Span<byte> destination)
    {
        DateTime time = DateTime.UnixEpoch.AddTicks(nanoseconds / 100);
        time.TryFormat(destination, out int written, "yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        "+0000"u8.CopyTo(destination[written..]);
        return written + 5;
    }

    public static string ProtocolName(byte protocol) => protocol switch
    {
        1 => "ICMP",
        6 => "TCP",
        17 => "UDP",
        47 => "GRE",
        50 => "ESP",
        58 => "IPv6-ICMP",
        132 => "SCTP",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    public static bool HasPorts(byte protocol) => protocol is 6 or 17 or 132;

    public static void WriteAddress(Utf8JsonWriter writer, string property, FlowAddress address, bool isIPv6)
    {
        Span<byte> text = stackalloc byte[64];
        address.ToIPAddress(isIPv6).TryFormat(text, out int written);
        writer.WriteString(property, text[..written]);
    }

    public static void WriteMac(Utf8JsonWriter writer, string property, ulong mac)
    {
        Span<byte> text = stackalloc byte[17];
        const string Hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(mac >> (8 * (5 - i)));
            text[i * 3] = (byte)Hex[octet >> 4];
            text[(i * 3) + 1] = (byte)Hex[octet & 0xF];
            if (i < 5)
            {
                text[(i * 3) + 2] = (byte)':';
            }
        }

        writer.WriteString(property, text);
    }

    public static void WriteTcpFlags(Utf8JsonWriter writer, string property, byte flags)
    {
        Span<byte> text = stackalloc byte[2];
        const string Hex = "0123456789abcdef";
        text[0] = (byte)Hex[flags >> 4];
        text[1] = (byte)Hex[flags & 0xF];
        writer.WriteString(property, text);
    }
}
