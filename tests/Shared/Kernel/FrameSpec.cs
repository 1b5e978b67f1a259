// Shared kernel-test fixtures (tests/Shared/Kernel), linked into the Capture.Linux.Xdp, Capture.AfPacket
// and Capture.Netronome test projects. This file: the description of a crafted frame.
using System.Net;

namespace Capture.Tests.Kernel;

/// <summary>What <see cref="CraftedFrames"/> builds: Ethernet, VLAN tags, IPv4 (with options) or IPv6, TCP or UDP.</summary>
public sealed record FrameSpec
{
    /// <summary>Source MAC (6 bytes).</summary>
    public required byte[] SourceMac { get; init; }

    /// <summary>Destination MAC (6 bytes).</summary>
    public required byte[] DestinationMac { get; init; }

    /// <summary>Source address (IPv4 or IPv6; both addresses of one family).</summary>
    public required IPAddress Source { get; init; }

    /// <summary>Destination address.</summary>
    public required IPAddress Destination { get; init; }

    /// <summary>Source port.</summary>
    public ushort SourcePort { get; init; }

    /// <summary>Destination port.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>6 TCP, 17 UDP; others get no L4 header (payload only).</summary>
    public byte Protocol { get; init; } = 17;

    /// <summary>VLAN tags, outermost first.</summary>
    public IReadOnlyList<VlanTag> Vlans { get; init; } = [];

    /// <summary>Bytes of IPv4 options (a multiple of 4, up to 40): NOPs ending with EOL.</summary>
    public int IPv4OptionBytes { get; init; }

    /// <summary>L4 payload length.</summary>
    public int PayloadLength { get; init; } = 32;

    /// <summary>TCP flags (default ACK).</summary>
    public byte TcpFlags { get; init; } = 0x10;

    /// <summary>The same flow in the other direction (addresses, ports and MACs swapped).</summary>
    /// <returns>The reversed spec.</returns>
    public FrameSpec Reverse() => this with
    {
        SourceMac = DestinationMac,
        DestinationMac = SourceMac,
        Source = Destination,
        Destination = Source,
        SourcePort = DestinationPort,
        DestinationPort = SourcePort,
    };
}
