using Capture.Abstractions;
using Xunit;

namespace Capture.Abstractions.Tests;

/// <summary>
/// A flow table's hash must keep an attacker who chooses source addresses and ports from filling
/// one hash chain: whatever set of keys is built without the secrets should spread over buckets.
/// Keys here are flow keys as the engine lays them out (low address, high address, ports and
/// protocol), one word each.
/// </summary>
public sealed class KeyedFlowHashTests
{
    [Fact]
    public void Full_collisions_found_under_one_secret_do_not_carry_to_another()
    {
        // Among 2^20 random keys, ~128 pairs share all 32 hash bits under secret A. A hash that is
        // keyed only by an affine seed (a CRC seeded with the secret, then any bijection) keeps every
        // such pair colliding under every secret, so one search breaks all runs.
        KeyedFlowHash a = new(0x0123_4567_89AB_CDEF);
        KeyedFlowHash b = new(0xFEDC_BA98_7654_3210);
        Random random = new(3);
        const int Count = 1 << 20;
        Key[] keys = new Key[Count];
        (uint Hash, int Index)[] hashes = new (uint, int)[Count];
        for (int i = 0; i < Count; i++)
        {
            keys[i] = Build((ulong)random.NextInt64(0, 1L << 32), (ushort)random.Next(1024, 65536));
            hashes[i] = (Hash(a, keys[i]), i);
        }

        Array.Sort(hashes);
        int pairs = 0;
        int carried = 0;
        for (int i = 1; i < Count; i++)
        {
            if (hashes[i].Hash != hashes[i - 1].Hash)
            {
                continue;
            }

            Key x = keys[hashes[i].Index];
            Key y = keys[hashes[i - 1].Index];
            if (x == y)
            {
                continue;
            }

            pairs++;
            if (Hash(b, x) == Hash(b, y))
            {
                carried++;
            }
        }

        Assert.True(pairs >= 50, $"only {pairs} colliding pairs under secret A; the search is too small to test anything");
        Assert.True(carried <= 1, $"{carried} of {pairs} pairs colliding under secret A also collide under secret B");
    }

    [Fact]
    public void Keys_that_share_a_bucket_under_one_secret_spread_under_another()
    {
        // The largest bucket among random keys under secret A: those keys, rehashed under secret B,
        // must land as random keys do, or a collision found against one run would carry to the next.
        KeyedFlowHash a = new(7);
        KeyedFlowHash b = new(8);
        Random random = new(11);
        Dictionary<uint, List<Key>> byBucket = [];
        for (int i = 0; i < 1 << 20; i++)
        {
            Key key = Build((ulong)random.NextInt64(0, 1L << 32), (ushort)random.Next(1024, 65536));
            uint bucket = Hash(a, key) & 1023;
            if (!byBucket.TryGetValue(bucket, out List<Key>? list))
            {
                byBucket[bucket] = list = [];
            }

            list.Add(key);
        }

        List<Key> colliding = byBucket.Values.MaxBy(l => l.Count)!;
        int spread = colliding.Select(k => Hash(b, k) & 1023).Distinct().Count();

        // ~1,100 keys into 1,024 buckets: a uniform hash fills ~1 - e^-1.07, about 67 % of them.
        Assert.True(spread >= 600, $"{colliding.Count} keys of one bucket under secret A fell in {spread} buckets of 1,024 under secret B");
    }

    [Fact]
    public void Every_key_bit_reaches_the_bucket_bits()
    {
        // Flipping any one bit of the key changes each of the low 16 hash bits about half the time.
        KeyedFlowHash hasher = new(99);
        Random random = new(5);
        const int Samples = 2_000;
        int[] flips = new int[16];
        ulong[] words = new ulong[6];
        for (int bit = 0; bit < 6 * 64; bit++)
        {
            Array.Clear(flips);
            for (int s = 0; s < Samples; s++)
            {
                for (int w = 0; w < 6; w++)
                {
                    words[w] = (ulong)random.NextInt64();
                }

                uint before = hasher.Hash(words[0], words[1], words[2], words[3], words[4], words[5]);
                words[bit / 64] ^= 1UL << (bit % 64);
                uint after = hasher.Hash(words[0], words[1], words[2], words[3], words[4], words[5]);
                uint changed = before ^ after;
                for (int o = 0; o < 16; o++)
                {
                    flips[o] += (int)((changed >> o) & 1);
                }
            }

            for (int o = 0; o < 16; o++)
            {
                double share = flips[o] / (double)Samples;
                Assert.True(share is > 0.40 and < 0.60, $"key bit {bit} flips hash bit {o} in {share:P1} of samples");
            }
        }
    }

    private static uint Hash(KeyedFlowHash hasher, Key key) => hasher.Hash(key.Low, 0, key.High, 0, key.Ports, 0);

    private static Key Build(ulong lowAddress, ushort lowPort) => new(lowAddress, 0xC000_0201, lowPort | (443UL << 16) | (6UL << 32));

    private readonly record struct Key(ulong Low, ulong High, ulong Ports);
}
