using System.Buffers.Binary;
using System.Numerics;
using Capture.Abstractions;
using FlowEngine.Defrag;
using Xunit;

namespace FlowEngine.Tests.Defrag;

public sealed class DefragKeyHashTests
{
    [Fact]
    public void Fragments_built_to_collide_under_a_fixed_mix_spread_over_hash_codes()
    {
        // The former hash began ((s0 * C) ^ s1), rotated by 23, then ^ d0: flipping bits D in the
        // source's second word and rotl(D, 23) in the destination's first word cancels, whatever
        // the process. 256 such keys must still get (nearly) 256 hash codes.
        List<DefragKey> keys = [];
        for (ulong i = 0; i < 256; i++)
        {
            ulong difference = i * 0x0001_0001_0001_0001UL;
            keys.Add(Key(0x0000_0000_B80D_0120UL, 0x0100_0000_0000_0000UL ^ difference, 0x0000_0000_B80D_0120UL ^ BitOperations.RotateLeft(difference, 23), 0x0200_0000_0000_0000UL));
        }

        int distinct = keys.Select(k => k.GetHashCode()).Distinct().Count();
        Assert.True(distinct >= 250, $"256 crafted fragment keys got {distinct} distinct hash codes");
        Assert.Equal(256, keys.Distinct().Count());
    }

    private static DefragKey Key(ulong source0, ulong source1, ulong destination0, ulong destination1)
    {
        byte[] source = new byte[16];
        byte[] destination = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(source, source0);
        BinaryPrimitives.WriteUInt64LittleEndian(source.AsSpan(8), source1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination, destination0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.AsSpan(8), destination1);
        return new DefragKey(FlowAddress.FromBytes(source), FlowAddress.FromBytes(destination), 0x4242, 17, true, 0, 0, 0, 0);
    }
}
