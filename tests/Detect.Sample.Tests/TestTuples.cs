using System.Net;
using Capture.Abstractions;

namespace Detect.Sample.Tests;

internal static class TestTuples
{
    public static FlowTuple Make(string source, int sourcePort, string destination, int destinationPort, byte protocol = 6) => new(
        source.Contains(':', StringComparison.Ordinal),
        FlowAddress.FromBytes(IPAddress.Parse(source).GetAddressBytes()),
        FlowAddress.FromBytes(IPAddress.Parse(destination).GetAddressBytes()),
        (ushort)sourcePort,
        (ushort)destinationPort,
        protocol,
        0,
        0,
        0,
        0);
}
