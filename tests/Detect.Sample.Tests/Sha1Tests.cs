using System.Security.Cryptography;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

public sealed class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void Known_answers_of_fips_180(string text, string expected)
    {
        byte[] hash = new byte[Sha1.HashLength];
        Sha1.HashData(System.Text.Encoding.ASCII.GetBytes(text), hash);
        Assert.Equal(expected, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Agrees_with_the_platforms_sha1_on_every_length_up_to_two_blocks()
    {
        var random = new Random(1805);
        byte[] hash = new byte[Sha1.HashLength];
        for (int length = 0; length <= 119; length++)
        {
            byte[] input = new byte[length];
            random.NextBytes(input);
            Sha1.HashData(input, hash);
            Assert.Equal(SHA1.HashData(input), hash);
        }
    }

    [Fact]
    public void Four_at_once_agree_with_the_platforms_sha1_in_every_lane_on_every_single_block_length()
    {
        var random = new Random(1806);
        byte[] hashes = new byte[4 * Sha1.HashLength];
        for (int length = 0; length <= Sha1.MaxBlockInput; length++)
        {
            // Each lane a different length, so that a lane mixed up with another fails.
            byte[][] inputs = [.. Enumerable.Range(0, 4).Select(lane => new byte[(length + (lane * 17)) % (Sha1.MaxBlockInput + 1)])];
            foreach (byte[] input in inputs)
            {
                random.NextBytes(input);
            }

            Sha1.HashFour(inputs[0], inputs[1], inputs[2], inputs[3], hashes);
            for (int lane = 0; lane < 4; lane++)
            {
                Assert.Equal(SHA1.HashData(inputs[lane]), hashes.AsSpan(lane * Sha1.HashLength, Sha1.HashLength).ToArray());
            }
        }
    }

    [Fact]
    public void Four_at_once_refuse_an_input_longer_than_one_block()
    {
        byte[] hashes = new byte[4 * Sha1.HashLength];
        Assert.Throws<ArgumentOutOfRangeException>(() => Sha1.HashFour(new byte[Sha1.MaxBlockInput + 1], [], [], [], hashes));
    }
}
