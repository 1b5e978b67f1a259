using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Capture.Abstractions;

/// <summary>
/// A keyed 32-bit hash of up to six 64-bit words, for tables keyed by what senders choose
/// (addresses, ports, IP ids): NH over the words' 32-bit halves, as in UMAC (the sum of
/// <c>(lo(w[i]) + k) * (hi(w[i]) + k')</c> over 64-bit products, additions modulo 2^32), then a keyed
/// multiply-add-shift of the sum's two halves. Without the secrets no one can build keys that
/// share a bucket, and a collision found against one process does not carry to the next.
/// </summary>
/// <remarks>
/// NH is almost-universal: the sums of two distinct inputs agree with probability at most about
/// 2^-32 over the secrets; the multiply-add-shift of a sum's halves (Dietzfelbinger's, upper half of
/// a 64-bit result) is universal for any number of its low bits, which is what a table's bucket is.
/// Hashes that are affine in their input (a CRC, however seeded) or mix it with fixed constants
/// before the seed (sums or XORs of words times constants, a ulong's own hash code, which XORs its
/// halves) collide for crafted inputs in every process. Every multiply is 32 x 32 → 64 bits, one
/// instruction on any 64-bit CPU: no 128-bit product, whose high half needs BMI2 or a four-multiply
/// software fallback (what an ahead-of-time build for x64's baseline ran). Unused words are passed as 0.
/// </remarks>
public sealed partial class KeyedFlowHash
{
    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly ulong _k2;
    private readonly ulong _k3;
    private readonly ulong _k4;
    private readonly ulong _k5;
    private readonly ulong _lowKey;
    private readonly ulong _highKey;
    private readonly ulong _addKey;

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
        _lowKey = Next(ref state);
        _highKey = Next(ref state);
        _addKey = Next(ref state);
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5)
    {
        // Six products side by side; the sum modulo 2^64 (NH).
        ulong sum = Product(w0, _k0) + Product(w1, _k1) + Product(w2, _k2)
            + Product(w3, _k3) + Product(w4, _k4) + Product(w5, _k5);

        // Both halves of the sum into the upper half of one keyed 64-bit result: its bits each
        // depend on every bit of the sum, the low ones (a table's bucket) too.
        return (uint)(((sum & 0xFFFF_FFFF) * _lowKey + (sum >> 32) * _highKey + _addKey) >> 32);
    }

    /// <summary>One NH term: the word's halves, each plus its half of the key modulo 2^32, multiplied into 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Product(ulong word, ulong key) =>
        (ulong)((uint)word + (uint)key) * ((uint)(word >> 32) + (uint)(key >> 32));

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
