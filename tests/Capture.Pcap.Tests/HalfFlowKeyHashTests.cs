using System.Buffers.Binary;
using Capture.Pcap.Bypass;
using Xunit;

namespace Capture.Pcap.Tests;

public sealed class HalfFlowKeyHashTests
{
    [Fact]
    public void Keys_built_to_collide_under_a_fixed_linear_mix_spread_over_hash_codes()
    {
        // The former hash XORed each word times a fixed constant, then applied the process seed:
        // choosing the source's second word as (K ^ s0 * C0) / C1 keeps that XOR at K for every
        // first word s0, so these keys shared a hash code in every process.
        const ulong C0 = 0x9E3779B97F4A7C15;
        const ulong C1 = 0xC2B2AE3D27D4EB4F;
        ulong inverse = Inverse(C1);
        List<HalfFlowKey> keys = [];
        for (ulong i = 1; i <= 256; i++)
        {
            ulong s0 = i * 0x0100_0000_0000_0001UL;
            ulong s1 = (0x5555_0000_0000_0001UL ^ (s0 * C0)) * inverse;
            Assert.Equal(0x5555_0000_0000_0001UL, (s0 * C0) ^ (s1 * C1));
            byte[] source = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(source, s0);
            BinaryPrimitives.WriteUInt64LittleEndian(source.AsSpan(8), s1);
            byte[] destination = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
            keys.Add(new HalfFlowKey(true, source, destination, 40000, 443, 6, 0, 0, 0, default));
        }

        int distinct = keys.Select(k => k.GetHashCode()).Distinct().Count();
        Assert.True(distinct >= 250, $"256 crafted keys got {distinct} distinct hash codes");
        Assert.Equal(256, keys.Distinct().Count());
    }

    /// <summary>The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits).</summary>
    private static ulong Inverse(ulong odd)
    {
        ulong x = odd;
        for (int i = 0; i < 6; i++)
        {
            x *= 2 - (odd * x);
        }

        return x;
    }
}
