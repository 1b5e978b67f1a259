using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace FlowEngine.Flows;

/// <summary>
/// Keyed hash of a <see cref="FlowKey"/>: CRC32C over the six key words (SSE4.2 or ARMv8 CRC
/// instructions, a multiply-xorshift mix otherwise) seeded with a per-run secret, then a keyed
/// finaliser so bucket choice is not predictable from the key alone. Also makes flow ids.
/// </summary>
internal sealed class FlowHasher
{
    private readonly uint _seed;
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
        _finalKey = (uint)(secret >> 32) | 1;
        _idKey = Mix64(secret ^ 0x9E3779B97F4A7C15UL);
    }

    /// <summary>The keyed 32-bit hash of a key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ref FlowKey key)
    {
        ref ulong w = ref Unsafe.As<FlowKey, ulong>(ref key);
        uint h;
        if (Sse42.X64.IsSupported)
        {
            h = (uint)Sse42.X64.Crc32(_seed, w);
            h = (uint)Sse42.X64.Crc32(h, Unsafe.Add(ref w, 1));
            h = (uint)Sse42.X64.Crc32(h, Unsafe.Add(ref w, 2));
            h = (uint)Sse42.X64.Crc32(h, Unsafe.Add(ref w, 3));
            h = (uint)Sse42.X64.Crc32(h, Unsafe.Add(ref w, 4));
            h = (uint)Sse42.X64.Crc32(h, Unsafe.Add(ref w, 5));
        }
        else if (Crc32.Arm64.IsSupported)
        {
            h = Crc32.Arm64.ComputeCrc32C(_seed, w);
            h = Crc32.Arm64.ComputeCrc32C(h, Unsafe.Add(ref w, 1));
            h = Crc32.Arm64.ComputeCrc32C(h, Unsafe.Add(ref w, 2));
            h = Crc32.Arm64.ComputeCrc32C(h, Unsafe.Add(ref w, 3));
            h = Crc32.Arm64.ComputeCrc32C(h, Unsafe.Add(ref w, 4));
            h = Crc32.Arm64.ComputeCrc32C(h, Unsafe.Add(ref w, 5));
        }
        else
        {
            ulong acc = _seed;
            for (int i = 0; i < 6; i++)
            {
                acc = Mix64(acc ^ Unsafe.Add(ref w, i));
            }

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
