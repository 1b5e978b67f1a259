using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace FlowEngine.Flows;

/// <summary>
/// Keyed hash of a <see cref="FlowKey"/>: CRC32C over the six key words (two chains) (SSE4.2 or ARMv8 CRC
/// instructions, a multiply-xorshift mix otherwise) seeded with a per-run secret, then a keyed
/// finaliser so bucket choice is not predictable from the key alone. Also makes flow ids.
/// </summary>
internal sealed class FlowHasher
{
    private readonly uint _seed;
    private readonly uint _seed2;
    private readonly uint _finalKey;
    private readonly ulong _idKey;

    /// <summary>A hasher with fresh random secrets.</summary>
    public FlowHasher()
        : this(RandomSecret())
    {
    }

    /// <summary>A hasher with given secrets (tests, reproducible benchmarks).</summary>
    public FlowHasher(ulong secret)
    {
        _seed = (uint)secret;
        _seed2 = (uint)Mix64(secret);
        _finalKey = (uint)(secret >> 32) | 1;
        _idKey = Mix64(secret ^ 0x9E3779B97F4A7C15UL);
    }

    /// <summary>The keyed 32-bit hash of a key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ref FlowKey key)
    {
        ref ulong w = ref Unsafe.As<FlowKey, ulong>(ref key);
        return Hash(w, Unsafe.Add(ref w, 1), Unsafe.Add(ref w, 2), Unsafe.Add(ref w, 3), Unsafe.Add(ref w, 4), Unsafe.Add(ref w, 5));
    }

    /// <summary>The keyed 32-bit hash of a key given as its six words (see <see cref="FlowKey.FromLayer"/>).</summary>
    /// <remarks>Two CRC chains of three words each: half the latency of one chain of six.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5)
    {
        uint h;
        if (Sse42.X64.IsSupported)
        {
            ulong a = Sse42.X64.Crc32(_seed, w0);
            ulong b = Sse42.X64.Crc32(_seed2, w1);
            a = Sse42.X64.Crc32(a, w2);
            b = Sse42.X64.Crc32(b, w3);
            a = Sse42.X64.Crc32(a, w4);
            b = Sse42.X64.Crc32(b, w5);
            h = (uint)a ^ BitOperations.RotateLeft((uint)b, 16);
        }
        else if (Crc32.Arm64.IsSupported)
        {
            uint a = Crc32.Arm64.ComputeCrc32C(_seed, w0);
            uint b = Crc32.Arm64.ComputeCrc32C(_seed2, w1);
            a = Crc32.Arm64.ComputeCrc32C(a, w2);
            b = Crc32.Arm64.ComputeCrc32C(b, w3);
            a = Crc32.Arm64.ComputeCrc32C(a, w4);
            b = Crc32.Arm64.ComputeCrc32C(b, w5);
            h = a ^ BitOperations.RotateLeft(b, 16);
        }
        else
        {
            ulong acc = Mix64(_seed ^ w0);
            acc = Mix64(acc ^ w1);
            acc = Mix64(acc ^ w2);
            acc = Mix64(acc ^ w3);
            acc = Mix64(acc ^ w4);
            acc = Mix64(acc ^ w5);
            h = (uint)(acc ^ (acc >> 32));
        }

        // CRC is linear; a keyed multiply spreads it so the low bits (the bucket) depend on the secret.
        h ^= h >> 16;
        h *= _finalKey;
        h ^= h >> 15;
        return h;
    }

    /// <summary>A flow id from a per-shard sequence number: unique per run, positive, never 0.</summary>
    public long FlowId(ulong sequence, int shard)
    {
        ulong mixed = Mix64(_idKey ^ ((sequence << 8) | (uint)(shard & 0xFF)));
        long id = (long)(mixed & long.MaxValue);
        return id == 0 ? 1 : id;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RandomSecret()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
