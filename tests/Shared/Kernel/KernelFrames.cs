// Shared kernel-test fixtures (tests/Shared/Kernel). This file: the test flows' frames.
using System.Buffers.Binary;

namespace Capture.Tests.Kernel;

/// <summary>UDP frames of the test flows, told apart by source port and payload length.</summary>
public static class KernelFrames
{
    /// <summary>A UDP/IPv4 frame from the namespace end to the host end.</summary>
    public static byte[] Udp(VethNamespace net, ushort sourcePort, ushort destinationPort, int payloadLength, params VlanTag[] vlans) =>
        CraftedFrames.Build(new FrameSpec
        {
            SourceMac = net.PeerMac,
            DestinationMac = net.HostMac,
            Source = net.PeerIPv4,
            Destination = net.HostIPv4,
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Protocol = 17,
            PayloadLength = payloadLength,
            Vlans = vlans,
        });

    /// <summary>A TCP/IPv6 frame from the namespace end to the host end.</summary>
    public static byte[] TcpV6(VethNamespace net, ushort sourcePort, int payloadLength) =>
        CraftedFrames.Build(new FrameSpec
        {
            SourceMac = net.PeerMac,
            DestinationMac = net.HostMac,
            Source = net.PeerIPv6,
            Destination = net.HostIPv6,
            SourcePort = sourcePort,
            DestinationPort = 443,
            Protocol = 6,
            PayloadLength = payloadLength,
        });

    /// <summary>The source port of a frame's TCP/UDP header, or 0 when it has none.</summary>
    public static ushort SourcePort(byte[] frame) => FrameInfo.TryParse(frame, out FrameInfo info) ? info.SourcePort : (ushort)0;

    /// <summary>The destination port of a frame's TCP/UDP header, or 0.</summary>
    public static ushort DestinationPort(byte[] frame) => FrameInfo.TryParse(frame, out FrameInfo info) ? info.DestinationPort : (ushort)0;

    /// <summary>A key identifying a frame by its bytes.</summary>
    public static string Key(byte[] frame) => Convert.ToBase64String(frame);

    /// <summary>The EtherType after any tags (for messages).</summary>
    public static ushort EtherType(byte[] frame) => frame.Length >= 14 ? BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) : (ushort)0;
}
