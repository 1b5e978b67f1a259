using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace Capture.Abstractions;

/// <summary>
/// A keyed 32-bit hash of up to six 64-bit words, for tables keyed by what senders choose
/// (addresses, ports, IP ids): NH over the words, as in UMAC (the sum of
/// <c>(w[2i] + k[2i]) * (w[2i+1] + k[2i+1])</c> over 128-bit products), then a keyed 64x64-bit
/// multiply whose halves are folded. Without the secrets no one can build keys that share a bucket,
/// and a collision found against one process does not carry to the next.
/// </summary>
/// <remarks>
/// NH is almost-universal: the sums of two distinct inputs agree with probability at most about
/// 2^-64 over the secrets. Hashes that are affine in their input (a CRC, however seeded) or mix it
/// with fixed constants before the seed (sums or XORs of words times constants, a ulong's own hash
/// code, which XORs its halves) collide for crafted inputs in every process. Three multiplies run
/// side by side; no CPU-specific instruction is needed. Unused words are passed as 0.
/// </remarks>
public sealed partial class KeyedFlowHash
{
    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly ulong _k2;
    private readonly ulong _k3;
    private readonly ulong _k4;
    private readonly ulong _k5;
    private readonly ulong _finalKey;

    /// <summary>A hash with fresh random secrets.</summary>
    public KeyedFlowHash()
        : this(RandomSecret())
    {
    }

    /// <summary>A hash with secrets derived from <paramref name="secret"/> (tests, reproducible benchmarks).</summary>
    /// <param name="secret">Every derived key depends on all 64 bits.</param>
    public KeyedFlowHash(ulong secret)
    {
        ulong state = secret;
        _k0 = Next(ref state);
        _k1 = Next(ref state);
        _k2 = Next(ref state);
        _k3 = Next(ref state);
        _k4 = Next(ref state);
        _k5 = Next(ref state);
        _finalKey = Next(ref state) | 1;
    }

    /// <summary>One instance with random secrets for the whole process: for hash codes of keys.</summary>
    public static KeyedFlowHash Shared { get; } = new();

    /// <summary>The keyed hash of six words.</summary>
    /// <param name="w0">Word 0.</param>
    /// <param name="w1">Word 1.</param>
    /// <param name="w2">Word 2.</param>
    /// <param name="w3">Word 3.</param>
    /// <param name="w4">Word 4.</param>
    /// <param name="w5">Word 5.</param>
    /// <returns>32 bits, every one depending on every input bit.</returns>
    /// <remarks>
    /// Never precompiled: <see cref="MultiplyHigh"/>'s BMI2 test (beyond x64's baseline, and
    /// <c>Math.BigMul</c> holds the same test) makes the ReadyToRun images drop this code on every
    /// machine with BMI2. Optimised at its first call, it skips the tier-0 code each packet's flow
    /// lookup otherwise ran until the tier-1 compile.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public uint Hash(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5)
    {
        ulong a0 = w0 + _k0, b0 = w1 + _k1;
        ulong a1 = w2 + _k2, b1 = w3 + _k3;
        ulong a2 = w4 + _k4, b2 = w5 + _k5;

        // The halves of the 128-bit sum, without the carry between them: a collision then needs the
        // exact sums to differ by 0, 1 or 2 times 2^64, which NH bounds by 2^-64 each.
        ulong low = (a0 * b0) + (a1 * b1) + (a2 * b2);
        ulong high = MultiplyHigh(a0, b0) + MultiplyHigh(a1, b1) + MultiplyHigh(a2, b2);

        // A keyed full multiply, halves folded: a change in any bit of the sum reaches the low bits
        // (a table's bucket) through one half or the other.
        ulong folded = low ^ high;
        return (uint)(MultiplyHigh(folded, _finalKey) ^ (folded * _finalKey));
    }

    /// <summary>
    /// The high half of a 64x64-bit product. <c>Math.BigMul</c>'s <c>out</c> low half went through
    /// the stack, a store-forwarding wait on the hash's path; the low half is a plain multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyHigh(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }

    /// <summary>A SplitMix64 step.</summary>
    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static unsafe ulong RandomSecret()
    {
        // The kernel's generator (getrandom(2)): RandomNumberGenerator is OpenSSL's on Linux, and
        // loading OpenSSL for eight bytes costs a host ~5 MB of resident memory.
        ulong secret;
        if (!OperatingSystem.IsLinux() || GetRandom(&secret, sizeof(ulong), 0) != sizeof(ulong))
        {
            return BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
        }

        return secret;
    }

    [LibraryImport("libc", EntryPoint = "getrandom")]
    private static unsafe partial nint GetRandom(void* buffer, nuint length, uint flags);
}
