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
}
