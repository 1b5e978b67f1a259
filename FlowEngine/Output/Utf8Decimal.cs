using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FlowEngine.Output;

/// <summary>
/// Writes integers as ASCII decimal digits, for flow-event sinks that assemble their lines by
/// hand. A flow event carries nine or more counters and ids; through <c>long.TryFormat</c> their
/// formatting was most of a flow line's cost. This sizes the number first and writes two digits
/// per table lookup, with no format or culture handling (none applies to JSON numbers).
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

    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Number of decimal digits of <paramref name="value"/> (1 for 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountDigits(ulong value)
    {
        // log10 from log2 (1233/4096 ~ log10 2), corrected by one comparison; "| 1" makes 0 one digit
        // and changes no other count (a power of ten above 1 is even).
        ulong x = value | 1;
        int guess = ((BitOperations.Log2(x) + 1) * 1233) >> 12;
        return guess + (x >= PowersOf10[guess] ? 1 : 0);
    }

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

        // Eight digits at a time from the right, each block in 32-bit arithmetic as two independent
        // halves: ids and nanosecond times have 19 digits, and one 64-bit division per pair of
        // digits made a long chain of dependent multiplies.
        while (value >= 100_000_000)
        {
            ulong quotient = value / 100_000_000;
            uint block = (uint)(value - (quotient * 100_000_000));
            value = quotient;
            at -= 8;
            uint high = block / 10_000;
            WriteFour(ref Unsafe.Add(ref first, at), high);
            WriteFour(ref Unsafe.Add(ref first, at + 4), block - (high * 10_000));
        }

        uint rest = (uint)value;
        while (rest >= 100)
        {
            uint quotient = rest / 100;
            at -= 2;
            WritePair(ref Unsafe.Add(ref first, at), rest - (quotient * 100));
            rest = quotient;
        }

        if (rest >= 10)
        {
            WritePair(ref first, rest);
        }
        else
        {
            first = (byte)('0' + rest);
        }

        return digits;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteFour(ref byte destination, uint value)
    {
        uint high = value / 100;
        WritePair(ref destination, high);
        WritePair(ref Unsafe.Add(ref destination, 2), value - (high * 100));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WritePair(ref byte destination, uint value) =>
        Unsafe.WriteUnaligned(ref destination, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(Pairs), (nint)(value * 2))));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(int needed, int length, string parameterName) =>
        throw new ArgumentException($"{needed} characters do not fit in {length} bytes", parameterName);
}
