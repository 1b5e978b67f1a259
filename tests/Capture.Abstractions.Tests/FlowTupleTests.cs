using System.Net;
using Capture.Abstractions;

namespace Capture.Abstractions.Tests;

public sealed class FlowTupleTests
{
    [Theory]
    [InlineData("192.0.2.7")]
    [InlineData("2001:db8::1:2")]
    public void Addresses_keep_their_wire_bytes(string text)
    {
        IPAddress address = IPAddress.Parse(text);
        FlowAddress flowAddress = FlowAddress.FromBytes(address.GetAddressBytes());
        Span<byte> bytes = stackalloc byte[16];
        flowAddress.CopyTo(bytes);

        Assert.Equal(address, flowAddress.ToIPAddress(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6));
        Assert.True(bytes[..address.GetAddressBytes().Length].SequenceEqual(address.GetAddressBytes()));
    }

    [Fact]
    public void An_IPv4_address_leaves_the_other_twelve_bytes_zero()
    {
        FlowAddress address = FlowAddress.FromBytes([10, 0, 0, 1]);
        Span<byte> bytes = stackalloc byte[16];
        address.CopyTo(bytes);
        Span<byte> first = stackalloc byte[4];
        address.CopyIPv4To(first);

        Assert.True(bytes[4..].IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(new byte[] { 10, 0, 0, 1 }, first.ToArray());
        Assert.NotEqual(address, FlowAddress.FromBytes([10, 0, 0, 2]));
    }

    [Fact]
    public void Addresses_of_other_lengths_are_refused() =>
        Assert.Throws<ArgumentException>(() => FlowAddress.FromBytes([1, 2, 3]));

    [Fact]
    public void Reversing_swaps_the_sides_and_keeps_the_rest()
    {
        FlowTuple flow = new(false, FlowAddress.FromBytes([10, 0, 0, 1]), FlowAddress.FromBytes([10, 0, 0, 2]), 40000, 443, 6, 100, 200, 0, 0);
        FlowTuple reverse = flow.Reverse();

        Assert.Equal(flow.Destination, reverse.Source);
        Assert.Equal(flow.Source, reverse.Destination);
        Assert.Equal((ushort)443, reverse.SourcePort);
        Assert.Equal((ushort)40000, reverse.DestinationPort);
        Assert.Equal((flow.Protocol, flow.Vlan0, flow.Vlan1), (reverse.Protocol, reverse.Vlan0, reverse.Vlan1));
        Assert.Equal(flow, reverse.Reverse());
    }
}
