using System.Diagnostics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;

namespace FlowEngine.Flows;

/// <summary>
/// The flow table's hash of a <see cref="FlowKey"/> (its six words through a
/// <see cref="KeyedFlowHash"/> with per-run secrets) and flow ids.
/// </summary>
/// <remarks>
/// The hash was CRC32C seeded with the secret until a test showed what that allows: a CRC is
/// affine, so two keys that collide under one run's secret collide under every run's, and a
/// sender picking source addresses and ports could precompute a whole hash chain. Measured against
/// the CRC in one process, alternating rounds, in the pipeline benchmark: best round 2-7 % slower,
/// 25th percentile 0-5 %.
/// </remarks>
internal sealed class FlowHasher
{
    private readonly KeyedFlowHash _hash;
    private readonly ulong _idKey;

    /// <summary>A hasher with fresh random secrets.</summary>
    public FlowHasher()
    {
        // The SDK's hash draws the run's secret; the id key comes from it, keyed, so it is as
        // unpredictable without one more source of randomness.
        _hash = new KeyedFlowHash();
        _idKey = ((ulong)_hash.Hash(1, 0, 0, 0, 0, 0) << 32) | _hash.Hash(2, 0, 0, 0, 0, 0);
    }

    /// <summary>A hasher with secrets derived from <paramref name="secret"/> (tests, reproducible benchmarks).</summary>
    public FlowHasher(ulong secret)
    {
        _hash = new KeyedFlowHash(secret);
        _idKey = Mix64(secret ^ 0x9E3779B97F4A7C15UL);
    }

    /// <summary>The keyed 32-bit hash of a key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ref FlowKey key)
    {
        ref ulong w = ref Unsafe.As<FlowKey, ulong>(ref key);
        return _hash.Hash(w, Unsafe.Add(ref w, 1), Unsafe.Add(ref w, 2), Unsafe.Add(ref w, 3), Unsafe.Add(ref w, 4), Unsafe.Add(ref w, 5));
    }

    /// <summary>The keyed 32-bit hash of a key given as its six words (see <see cref="FlowKey.FromLayer"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5) => _hash.Hash(w0, w1, w2, w3, w4, w5);

    /// <summary>
    /// The largest flow id: ids have 51 bits, as Suricata masks them (<c>&amp; 0x7ffffffffffff</c>), so
    /// that JSON consumers holding numbers as doubles (JavaScript, jq 1.6) keep them exact.
    /// </summary>
    public const long MaxFlowId = 0x7_FFFF_FFFF_FFFF;

    /// <summary>A flow id from a per-shard sequence number: unique per run (below 2^43 flows a shard), positive, never 0, at most <see cref="MaxFlowId"/>.</summary>
    public long FlowId(ulong sequence, int shard)
    {
        // A keyed permutation of the 51-bit space (xor-shifts and odd multipliers modulo 2^51 are
        // bijective), so distinct (sequence, shard) give distinct ids, unlike masking a 64-bit mix.
        const ulong Mask = MaxFlowId;
        ulong z = (_idKey ^ ((sequence << 8) | (uint)(shard & 0xFF))) & Mask;
        z = ((z ^ (z >> 26)) * 0xBF58476D1CE4E5B9UL) & Mask;
        z = ((z ^ (z >> 23)) * 0x94D049BB133111EBUL) & Mask;
        z ^= z >> 25;
        Debug.Assert(z <= Mask, "flow ids have 51 bits");
        return z == 0 ? 1 : (long)z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
