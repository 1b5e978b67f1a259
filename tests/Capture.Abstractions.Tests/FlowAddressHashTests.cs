using System.Buffers.Binary;
using Capture.Abstractions;
using Xunit;

namespace Capture.Abstractions.Tests;

public sealed class FlowAddressHashTests
{
    [Fact]
    public void IPv6_addresses_whose_word_halves_fold_alike_get_different_hash_codes()
    {
        // A ulong's hash code is its halves XORed; hashing an address as two ulongs gave these 256
        // addresses one hash code in every process, as the first assertion shows.
        List<FlowAddress> addresses = [];
        List<ulong> words = [];
        for (uint i = 0; i < 256; i++)
        {
            uint low = i * 0x0101_0101u;
            ulong word = low | ((ulong)(low ^ 0x2001_0DB8u) << 32);
            byte[] bytes = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, word);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 0x1234_5678_9ABC_DEF0UL);
            addresses.Add(FlowAddress.FromBytes(bytes));
            words.Add(word);
        }

        Assert.Single(words.Select(w => HashCode.Combine(w, 0x1234_5678_9ABC_DEF0UL)).Distinct());
        int distinct = addresses.Select(a => a.GetHashCode()).Distinct().Count();
        Assert.True(distinct >= 250, $"256 addresses built to fold alike got {distinct} distinct hash codes");
    }
}
