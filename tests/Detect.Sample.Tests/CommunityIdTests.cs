using System.Net;
using Capture.Abstractions;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

public sealed class CommunityIdTests
{
    [Theory]
    // The first and ICMP vectors are the specification's; the UDP one was computed with an independent
    // Python implementation of the spec. ICMP echo flows carry the identifier as both ports.
    [InlineData("128.232.110.120", 34855, "66.35.250.204", 80, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")]
    [InlineData("66.35.250.204", 80, "128.232.110.120", 34855, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=")]
    [InlineData("192.168.1.52", 54585, "8.8.8.8", 53, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=")]
    [InlineData("192.168.0.89", 0, "192.168.0.1", 0, 1, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    [InlineData("192.168.0.89", 768, "192.168.0.1", 768, 1, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")]
    public void Matches_the_specification(string source, int sourcePort, string destination, int destinationPort, int protocol, string expected)
    {
        Assert.Equal(expected, CommunityId.Compute(Tuple(source, sourcePort, destination, destinationPort, protocol), 0));
    }

    [Fact]
    public void Four_at_once_are_the_ids_of_each_flow_alone()
    {
        FlowTuple[] flows =
        [
            Tuple("128.232.110.120", 34855, "66.35.250.204", 80, 6),
            Tuple("2001:db8::2", 443, "2001:db8::1", 50000, 17),
            Tuple("192.168.0.89", 768, "192.168.0.1", 768, 1),
            Tuple("fe80::1", 0, "fe80::2", (128 << 8) | 0, 58),
            Tuple("10.0.0.1", 0, "10.0.0.2", 0, 47),
        ];
        byte[] four = new byte[4 * CommunityId.Utf8Length];
        for (int first = 0; first + 4 <= flows.Length; first++)
        {
            CommunityId.FormatFour(flows[first], flows[first + 1], flows[first + 2], flows[first + 3], 7, four);
            for (int lane = 0; lane < 4; lane++)
            {
                Assert.Equal(CommunityId.Compute(flows[first + lane], 7), System.Text.Encoding.ASCII.GetString(four, lane * CommunityId.Utf8Length, CommunityId.Utf8Length));
            }
        }
    }

    [Theory]
    [InlineData("2001:db8::2", 443, "2001:db8::1", 50000, 6)]
    [InlineData("2001:db8::1", 50000, "2001:db8::2", 443, 6)]
    [InlineData("2001:db8:0:1::1", 1, "2001:db8::ffff", 2, 17)]
    [InlineData("ff02::1", 9, "2001:db8::1", 9, 17)]
    [InlineData("2001:db8::5", 2000, "2001:db8::5", 1000, 6)]
    [InlineData("10.0.0.5", 2000, "10.0.0.5", 1000, 17)]
    [InlineData("10.0.1.0", 5, "10.0.0.255", 6, 6)]
    [InlineData("200.0.0.1", 5, "10.0.0.1", 6, 132)]
    [InlineData("10.0.0.1", 0, "10.0.0.2", 0, 47)]
    public void Addresses_are_ordered_by_their_bytes_and_equal_addresses_by_port(string source, int sourcePort, string destination, int destinationPort, int protocol)
    {
        // The specification's input, built byte by byte and hashed by the runtime's SHA-1.
        byte[] from = IPAddress.Parse(source).GetAddressBytes();
        byte[] to = IPAddress.Parse(destination).GetAddressBytes();
        (int fromPort, int toPort) = (sourcePort, destinationPort);
        int order = from.AsSpan().SequenceCompareTo(to);
        if (order > 0 || (order == 0 && fromPort > toPort))
        {
            (from, to, fromPort, toPort) = (to, from, toPort, fromPort);
        }

        List<byte> input = [0, 7, .. from, .. to, (byte)protocol, 0];
        if (protocol is 6 or 17 or 132)
        {
            input.AddRange([(byte)(fromPort >> 8), (byte)fromPort, (byte)(toPort >> 8), (byte)toPort]);
        }

        string expected = "1:" + Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData([.. input]));

        Assert.Equal(expected, CommunityId.Compute(Tuple(source, sourcePort, destination, destinationPort, protocol), 7));
    }

    private static FlowTuple Tuple(string source, int sourcePort, string destination, int destinationPort, int protocol) => new(
        source.Contains(':', StringComparison.Ordinal),
        FlowAddress.FromBytes(IPAddress.Parse(source).GetAddressBytes()),
        FlowAddress.FromBytes(IPAddress.Parse(destination).GetAddressBytes()),
        (ushort)sourcePort,
        (ushort)destinationPort,
        (byte)protocol,
        0,
        0,
        0,
        0);
}
