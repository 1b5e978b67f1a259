using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FlowEngine.Output;

/// <summary>
/// Writes integers as ASCII decimal digits, for flow-event sinks that assemble their lines by
/// hand. A flow event carries nine or more counters and ids; through <c>long.TryFormat</c> their
/// formatting was most of a flow line's cost. This sizes the number first and computes eight
/// digits at a time side by side in one 64-bit word, with no format or culture handling (none
/// applies to JSON numbers).
/// </summary>
public static class Utf8Decimal
{
    /// <summary>Longest output: <c>-9223372036854775808</c>.</summary>
    public const int MaxLength = 20;

    private static readonly ulong[] PowersOf10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ];

    /// <summary>Number of decimal digits of <paramref name="value"/> (1 for 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountDigits(ulong value)
    {
        // log10 from log2 (1233/4096 ~ log10 2), corrected by one comparison; "| 1" makes 0 one digit
        // and changes no other count (a power of ten above 1 is even).
        ulong x = value | 1;
        int guess = ((Log2(x) + 1) * 1233) >> 12;
        return guess + (x >= PowersOf10[guess] ? 1 : 0);
    }

    /// <summary>
    /// The index of the highest set bit of <paramref name="value"/> (not 0), by a De Bruijn
    /// multiply. <c>BitOperations.Log2</c> tests for LZCNT, an instruction set beyond x64's
    /// baseline, and the ReadyToRun images drop every method that inlines such a test: the flow
    /// line's numbers then ran tier-0 JIT code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Log2(ulong value)
    {
        Debug.Assert(value != 0, "the caller makes 0 into 1");
        value |= value >> 1;
        value |= value >> 2;
        value |= value >> 4;
        value |= value >> 8;
        value |= value >> 16;
        value |= value >> 32;

        // The highest bit alone, times the De Bruijn constant: its top six bits are unique per bit.
        return Log2DeBruijn[(int)(((value - (value >> 1)) * 0x07EDD5E59A4E28C2UL) >> 58)];
    }

    private static ReadOnlySpan<byte> Log2DeBruijn =>
    [
        63, 0, 58, 1, 59, 47, 53, 2, 60, 39, 48, 27, 54, 33, 42, 3, 61, 51, 37, 40, 49, 18, 28, 20, 55, 30, 34, 11, 43, 14, 22, 4,
        62, 57, 46, 52, 38, 26, 32, 41, 50, 36, 17, 19, 29, 10, 13, 21, 56, 45, 25, 31, 35, 16, 9, 12, 44, 24, 15, 8, 23, 7, 6, 5,
    ];

    /// <summary>Writes <paramref name="value"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Write(ulong value, Span<byte> destination)
    {
        int digits = CountDigits(value);
        if (digits > destination.Length)
        {
            ThrowTooShort(digits, destination.Length, nameof(destination));
        }

        ref byte first = ref MemoryMarshal.GetReference(destination);
        int at = digits;

        // Eight digits at a time from the right: ids and nanosecond times have 19 digits, and one
        // 64-bit division per pair of digits made a long chain of dependent multiplies.
        while (value >= 100_000_000)
        {
            ulong quotient = value / 100_000_000;
            uint block = (uint)(value - (quotient * 100_000_000));
            value = quotient;
            at -= 8;
            StoreDigits(ref Unsafe.Add(ref first, at), block, 8);
        }

        // The leading one to eight digits: no loop over pairs of them (most counters are short).
        StoreDigits(ref first, (uint)value, at);
        return digits;
    }

    /// <summary>
    /// Writes <paramref name="value"/> at the start of <paramref name="room"/> in whole 8-byte
    /// stores, and returns the bytes of the number: bytes after it, up to the room's eighth, may be
    /// overwritten with other digits. For line builders that write on right after the number: no
    /// branch on the number's length (the lengths of a flow line's counters vary from line to line,
    /// and mispredicted branches on them were much of <see cref="Write(ulong, Span{byte})"/>'s
    /// cost there), and the length comes from comparisons side by side, not from the highest bit.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="room">At least <see cref="MaxLength"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="room"/> is shorter than <see cref="MaxLength"/>.</exception>
    public static int WriteWithRoom(ulong value, Span<byte> room)
    {
        if (room.Length < MaxLength)
        {
            ThrowTooShort(MaxLength, room.Length, nameof(room));
        }

        ref byte first = ref MemoryMarshal.GetReference(room);
        if (value < 100_000_000)
        {
            int length = EightOrFewer((uint)value);
            StoreLeading(ref first, (uint)value, length);
            return length;
        }

        // Nine digits or more: the leading ones are stored first (their store's spare bytes lie
        // inside the number), then the blocks of eight after them.
        ulong high = value / 100_000_000;
        uint low = (uint)(value - (high * 100_000_000));
        if (high < 100_000_000)
        {
            int leading = EightOrFewer((uint)high);
            StoreLeading(ref first, (uint)high, leading);
            StoreLeading(ref Unsafe.Add(ref first, leading), low, 8);
            return leading + 8;
        }

        ulong top = high / 100_000_000;
        uint middle = (uint)(high - (top * 100_000_000));
        int topLength = EightOrFewer((uint)top);
        StoreLeading(ref first, (uint)top, topLength);
        StoreLeading(ref Unsafe.Add(ref first, topLength), middle, 8);
        StoreLeading(ref Unsafe.Add(ref first, topLength + 8), low, 8);
        return topLength + 16;
    }

    /// <summary>Writes <paramref name="value"/>, with a minus sign when negative; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int Write(long value, Span<byte> destination)
    {
        if (value >= 0)
        {
            return Write((ulong)value, destination);
        }

        if (destination.IsEmpty)
        {
            ThrowTooShort(1, 0, nameof(destination));
        }

        destination[0] = (byte)'-';
        return 1 + Write(0UL - (ulong)value, destination[1..]);
    }

    /// <summary>
    /// Writes <paramref name="value"/> as exactly <c>destination.Length</c> digits (1 to 8), zero
    /// padded on the left: the fields of a timestamp (<c>2026</c>, <c>07</c>, <c>000123</c>).
    /// </summary>
    /// <param name="value">The value; fewer digits than the destination holds.</param>
    /// <param name="destination">Exactly the bytes to fill.</param>
    /// <exception cref="ArgumentException">The destination is empty or longer than 8 bytes, or the value does not fit in it.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteFixed(uint value, Span<byte> destination)
    {
        int length = destination.Length;
        if ((uint)(length - 1) > 7 || value >= PowersOf10[length])
        {
            ThrowFixed(value, length, nameof(destination));
        }

        StoreDigits(ref MemoryMarshal.GetReference(destination), value, length);
    }

    /// <summary>
    /// Stores the last <paramref name="length"/> (1 to 8) of the eight digits of <paramref name="value"/>
    /// (below 10^8): all eight computed at once, the first in the lowest byte and the leading ones
    /// dropped, then one write of eight or at most three (4, 2 and 1 bytes), not byte by byte.
    /// Inlined with a constant length (a timestamp's fields), the tests fold away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDigits(ref byte first, uint value, int length)
    {
        Debug.Assert(length is >= 1 and <= 8 && value < PowersOf10[length], "the value fits in the length");
        if (length == 8)
        {
            StoreLeading(ref first, value, 8);
            return;
        }

        ulong digits = EightDigits(value) >> ((8 - length) * 8);
        int at = 0;
        if ((length & 4) != 0)
        {
            Unsafe.WriteUnaligned(ref first, BitConverter.IsLittleEndian ? (uint)digits : BinaryPrimitives.ReverseEndianness((uint)digits));
            digits >>= 32;
            at = 4;
        }

        if ((length & 2) != 0)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref first, at), BitConverter.IsLittleEndian ? (ushort)digits : BinaryPrimitives.ReverseEndianness((ushort)digits));
            digits >>= 16;
            at += 2;
        }

        if ((length & 1) != 0)
        {
            Unsafe.Add(ref first, at) = (byte)digits;
        }
    }

    /// <summary>Digits of <paramref name="value"/> (below 10^8; 1 for 0): seven comparisons side by side, summed in a tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EightOrFewer(uint value)
    {
        Debug.Assert(value < 100_000_000, "eight digits at most");
        int oneToTwo = 1 + (value >= 10 ? 1 : 0);
        int threeToFour = (value >= 100 ? 1 : 0) + (value >= 1_000 ? 1 : 0);
        int fiveToSix = (value >= 10_000 ? 1 : 0) + (value >= 100_000 ? 1 : 0);
        int sevenToEight = (value >= 1_000_000 ? 1 : 0) + (value >= 10_000_000 ? 1 : 0);
        return oneToTwo + threeToFour + (fiveToSix + sevenToEight);
    }

    /// <summary>
    /// The <paramref name="length"/> digits of <paramref name="value"/> at <paramref name="first"/>, in
    /// one 8-byte store (zero bytes after them; with 8, all eight digits, zero padded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreLeading(ref byte first, uint value, int length)
    {
        Debug.Assert(length is >= 1 and <= 8 && value < PowersOf10[length], "the value has the length");
        ulong digits = EightDigits(value) >> ((8 - length) * 8);
        Unsafe.WriteUnaligned(ref first, BitConverter.IsLittleEndian ? digits : BinaryPrimitives.ReverseEndianness(digits));
    }

    /// <summary>
    /// Eight ASCII digits of <paramref name="value"/> (below 10^8), the first in the lowest byte, all
    /// computed side by side in one 64-bit word: the two halves of four digits in 32-bit lanes, their
    /// pairs in 16-bit lanes, the digits in bytes (multiply-shift division is exact at each width used).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(uint value)
    {
        uint high = value / 10_000;
        ulong fours = high | ((ulong)(value - (high * 10_000)) << 32);
        ulong hundreds = ((fours * 10486) >> 20) & 0x0000_007F_0000_007FUL;
        ulong pairs = ((fours - (hundreds * 100)) << 16) | hundreds;
        ulong tens = ((pairs * 103) >> 10) & 0x000F_000F_000F_000FUL;
        return ((pairs - (tens * 10)) << 8) | tens | 0x3030_3030_3030_3030UL;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFixed(uint value, int length, string parameterName) =>
        throw new ArgumentException($"{value} does not fit in {length} digits (1 to 8)", parameterName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int needed, int length, string parameterName) =>
        throw new ArgumentException($"{needed} characters do not fit in {length} bytes", parameterName);
}
