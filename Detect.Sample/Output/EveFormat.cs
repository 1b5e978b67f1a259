using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Output;

namespace Detect.Sample.Output;

/// <summary>
/// Suricata's spellings of EVE values: timestamps, protocol names, MAC addresses. Written straight
/// into UTF-8 (no format strings, no IPAddress for IPv4): a flow event is formatted per flow end.
/// </summary>
internal static class EveFormat
{
    /// <summary>Length of <see cref="FormatTimestamp"/>'s text for years 1-9999.</summary>
    public const int TimestampLength = 31;

    /// <summary>Length of a timestamp up to its whole second, <c>yyyy-MM-ddTHH:mm:ss</c>.</summary>
    public const int SecondsLength = 19;

    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    /// <summary>Each octet's decimal digits in the low bytes (first digit lowest) and their count in the top byte.</summary>
    private static readonly uint[] OctetText = BuildOctetText();

    /// <summary>Both hex digits of every byte value, first digit in the lower byte.</summary>
    private static readonly ushort[] HexPairs = BuildHexPairs();


    /// <summary>Nanoseconds since the Unix epoch of a wall-clock time, to its 100 ns ticks: EVE timestamps carry the microseconds, as Suricata's do.</summary>
    public static long UnixNanoseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

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
        if (destination.Length < TimestampLength)
        {
            throw new ArgumentException($"a timestamp needs {TimestampLength} bytes", nameof(destination));
        }

        Utf8Decimal.WriteFixed((uint)year, destination[..4]);
        destination[4] = (byte)'-';
        Utf8Decimal.WriteFixed((uint)month, destination.Slice(5, 2));
        destination[7] = (byte)'-';
        Utf8Decimal.WriteFixed((uint)day, destination.Slice(8, 2));
        destination[10] = (byte)'T';
        Utf8Decimal.WriteFixed((uint)(seconds / 3600), destination.Slice(11, 2));
        destination[13] = (byte)':';
        Utf8Decimal.WriteFixed((uint)(seconds / 60 % 60), destination.Slice(14, 2));
        destination[16] = (byte)':';
        Utf8Decimal.WriteFixed((uint)(seconds % 60), destination.Slice(17, 2));
        FormatSubsecond((uint)micros, destination[SecondsLength..]);
        return TimestampLength;
    }

    /// <summary>Writes the timestamp's tail after its whole second, <c>.ffffff+0000</c> (12 bytes).</summary>
    public static void FormatSubsecond(uint micros, Span<byte> destination)
    {
        destination[0] = (byte)'.';
        Utf8Decimal.WriteFixed(micros, destination.Slice(1, 6));
        "+0000"u8.CopyTo(destination[7..]);
    }

    /// <summary>Writes the protocol's EVE name (pre-encoded for the named ones, the number otherwise).</summary>
    public static void WriteProtocol(Utf8JsonWriter writer, JsonEncodedText property, byte protocol)
    {
        JsonEncodedText name = IpProtocolNames.Encoded(protocol);
        if (name.EncodedUtf8Bytes.Length > 0)
        {
            writer.WriteString(property, name);
            return;
        }

        Span<byte> text = stackalloc byte[3];
        protocol.TryFormat(text, out int written, default, CultureInfo.InvariantCulture);
        writer.WriteString(property, text[..written]);
    }

    /// <summary>Suricata's name of an IP protocol (<c>TCP</c>, <c>IPv6-ICMP</c>, ...), or null where it writes the number.</summary>
    public static string? ProtocolName(byte protocol) => IpProtocolNames.Encoded(protocol) is { EncodedUtf8Bytes.Length: > 0 } name ? name.ToString() : null;

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

    /// <summary>
    /// IPv4 dotted quad; IPv6 as Suricata writes it, all eight groups of four lowercase hex digits
    /// with no zeros left out (<c>2001:0db8:0000:...</c>, 39 bytes).
    /// </summary>
    public static int FormatAddress(FlowAddress address, bool isIPv6, Span<byte> destination)
    {
        if (isIPv6)
        {
            return FormatIPv6(address, destination);
        }

        Span<byte> bytes = stackalloc byte[4];
        address.CopyIPv4To(bytes);
        if (destination.Length < 16)
        {
            // "255.255.255.255" is 15 bytes; the table copy below writes one more.
            Span<byte> text = stackalloc byte[16];
            int length = FormatIPv4(bytes, text);
            text[..length].CopyTo(destination);
            return length;
        }

        return FormatIPv4(bytes, destination);
    }

    private static int FormatIPv6(FlowAddress address, Span<byte> destination)
    {
        const int Length = 39;
        Span<byte> bytes = stackalloc byte[16];
        address.CopyTo(bytes);
        Span<byte> text = destination[..Length];
        for (int group = 0; group < 8; group++)
        {
            WriteHexPair(ref text[group * 5], bytes[group * 2]);
            WriteHexPair(ref text[(group * 5) + 2], bytes[(group * 2) + 1]);
            if (group < 7)
            {
                text[(group * 5) + 4] = (byte)':';
            }
        }

        return Length;
    }

    /// <summary>
    /// Dotted quad from a table of each octet's digits (four bytes copied per octet, the length kept
    /// in the fourth): no division, and no branch on the octet's length. The four table reads come
    /// first and every position follows from the lengths alone, so no octet waits for the one before
    /// it (as a loop over the octets did, a load and an add per octet in one chain). Needs 16 bytes.
    /// </summary>
    private static int FormatIPv4(ReadOnlySpan<byte> octets, Span<byte> destination)
    {
        _ = destination[15];
        _ = octets[3];
        uint[] table = OctetText;
        uint a = table[octets[0]];
        uint b = table[octets[1]];
        uint c = table[octets[2]];
        uint d = table[octets[3]];
        int second = (int)(a >> 24) + 1;
        int third = second + (int)(b >> 24) + 1;
        int fourth = third + (int)(c >> 24) + 1;

        // In order: each copy's spare bytes are overwritten by the dot and the next octet.
        ref byte first = ref MemoryMarshal.GetReference(destination);
        StoreDigits(ref first, a);
        Unsafe.Add(ref first, second - 1) = (byte)'.';
        StoreDigits(ref Unsafe.Add(ref first, second), b);
        Unsafe.Add(ref first, third - 1) = (byte)'.';
        StoreDigits(ref Unsafe.Add(ref first, third), c);
        Unsafe.Add(ref first, fourth - 1) = (byte)'.';
        StoreDigits(ref Unsafe.Add(ref first, fourth), d);
        return fourth + (int)(d >> 24);
    }

    /// <summary>An octet's table entry, first digit first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDigits(ref byte destination, uint entry) =>
        Unsafe.WriteUnaligned(ref destination, BitConverter.IsLittleEndian ? entry : BinaryPrimitives.ReverseEndianness(entry));

    private static uint[] BuildOctetText()
    {
        uint[] table = new uint[256];
        for (int octet = 0; octet < 256; octet++)
        {
            string text = octet.ToString(CultureInfo.InvariantCulture);
            uint entry = (uint)text.Length << 24;
            for (int i = 0; i < text.Length; i++)
            {
                entry |= (uint)text[i] << (8 * i);
            }

            table[octet] = entry;
        }

        return table;
    }

    public static void FormatMac(ulong mac, Span<byte> text)
    {
        _ = text[16];
        ref byte first = ref MemoryMarshal.GetReference(text);
        for (int i = 0; i < 6; i++)
        {
            WriteHexPair(ref Unsafe.Add(ref first, i * 3), (byte)(mac >> (8 * (5 - i))));
            if (i < 5)
            {
                Unsafe.Add(ref first, (i * 3) + 2) = (byte)':';
            }
        }
    }

    /// <summary>Both lowercase hex digits of <paramref name="value"/> as one 16-bit store; the caller checks the room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHexPair(ref byte destination, byte value) =>
        Unsafe.WriteUnaligned(ref destination, HexPairs[value]);

    private static ushort[] BuildHexPairs()
    {
        ushort[] pairs = new ushort[256];
        Span<byte> pair = stackalloc byte[2];
        for (int value = 0; value < 256; value++)
        {
            pair[0] = Hex(value >> 4);
            pair[1] = Hex(value & 0xF);
            pairs[value] = MemoryMarshal.Read<ushort>(pair);
        }

        return pairs;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
