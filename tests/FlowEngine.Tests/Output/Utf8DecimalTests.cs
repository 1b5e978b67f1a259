using System.Globalization;
using System.Text;
using FlowEngine.Output;

namespace FlowEngine.Tests.Output;

public class Utf8DecimalTests
{
    [Fact]
    public void Writes_what_ToString_writes_at_every_length_and_edge()
    {
        Span<byte> buffer = stackalloc byte[Utf8Decimal.MaxLength];
        foreach (ulong value in Values())
        {
            int written = Utf8Decimal.Write(value, buffer);
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..written]));
            Assert.Equal(written, Utf8Decimal.CountDigits(value));
        }
    }

    [Fact]
    public void With_room_writes_what_ToString_writes_and_touches_nothing_past_the_number_and_its_first_eight_bytes()
    {
        byte[] room = new byte[Utf8Decimal.MaxLength + 4];
        foreach (ulong value in Values())
        {
            room.AsSpan().Fill((byte)'x');
            int written = Utf8Decimal.WriteWithRoom(value, room);
            Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(room, 0, written));
            Assert.All(room[Math.Max(written, 8)..], b => Assert.Equal((byte)'x', b));
        }
    }

    [Fact]
    public void With_room_refuses_a_room_shorter_than_the_longest_number()
    {
        byte[] room = new byte[Utf8Decimal.MaxLength - 1];
        ArgumentException error = Assert.Throws<ArgumentException>(() => Utf8Decimal.WriteWithRoom(1UL, room));
        Assert.Contains("20 characters do not fit in 19 bytes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every length's edges, every highest bit's, and random values of every magnitude.</summary>
    private static List<ulong> Values()
    {
        List<ulong> values = [0, 1, 9, ulong.MaxValue, ulong.MaxValue - 1, long.MaxValue];
        for (ulong p = 10; p != 0 && p <= 10_000_000_000_000_000_000UL; p = p <= ulong.MaxValue / 10 ? p * 10 : 0)
        {
            values.AddRange([p - 1, p, p + 1]);
        }

        for (int bit = 0; bit < 64; bit++)
        {
            // Each highest bit: the digit count starts from it.
            ulong power = 1UL << bit;
            values.AddRange([power, power - 1 + power, power + 1]);
        }

        Random random = new(5);
        for (int i = 0; i < 100_000; i++)
        {
            // Random values of every magnitude, not only near 2^64.
            values.Add((ulong)random.NextInt64() >> random.Next(64));
        }

        return values;
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-1_700_000_000_123_456_789L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Writes_signed_values(long value)
    {
        Span<byte> buffer = stackalloc byte[Utf8Decimal.MaxLength];
        int written = Utf8Decimal.Write(value, buffer);
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Encoding.ASCII.GetString(buffer[..written]));
    }

    [Fact]
    public void A_short_destination_is_refused_before_anything_is_written()
    {
        byte[] buffer = [(byte)'x', (byte)'x', (byte)'x'];
        ArgumentException error = Assert.Throws<ArgumentException>(() => Utf8Decimal.Write(12345UL, buffer));
        Assert.Contains("5 characters do not fit in 3 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("xxx", Encoding.ASCII.GetString(buffer));
        Assert.Throws<ArgumentException>(() => Utf8Decimal.Write(-5L, Span<byte>.Empty));
    }

    [Fact]
    public void Fixed_width_pads_with_zeros_at_every_width()
    {
        Random random = new(9);
        for (int width = 1; width <= 8; width++)
        {
            uint limit = (uint)Math.Pow(10, width);
            foreach (uint value in (uint[])[0, 1, limit - 1, limit / 10, (uint)random.NextInt64(limit), (uint)random.NextInt64(limit)])
            {
                byte[] buffer = new byte[width + 2];
                buffer.AsSpan().Fill((byte)'x');
                Utf8Decimal.WriteFixed(value, buffer.AsSpan(1, width));
                Assert.Equal("x" + value.ToString(new string('0', width), CultureInfo.InvariantCulture) + "x", Encoding.ASCII.GetString(buffer));
            }
        }
    }

    [Theory]
    [InlineData(100u, 2)]
    [InlineData(0u, 0)]
    [InlineData(0u, 9)]
    public void Fixed_width_refuses_what_does_not_fit(uint value, int width)
    {
        byte[] buffer = new byte[width];
        ArgumentException error = Assert.Throws<ArgumentException>(() => Utf8Decimal.WriteFixed(value, buffer));
        Assert.Contains("does not fit", error.Message, StringComparison.Ordinal);
    }
}
