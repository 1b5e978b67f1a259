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
        var tuple = new FlowTuple(
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
        Assert.Equal(expected, CommunityId.Compute(tuple, 0));
    }
}
