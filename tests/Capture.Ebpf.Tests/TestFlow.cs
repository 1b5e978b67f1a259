using System.Net;
using Capture.Abstractions;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>
/// A flow used by the kernel tests: its tuple (client → server) and the frames of each direction.
/// Every frame is sent from the namespace towards the host end, so XDP on the host end sees both
/// directions. Addresses are not local to the host (TEST-NET ranges), so the host never answers.
/// </summary>
internal sealed record TestFlow(FlowTuple Tuple, FrameSpec ToServer, FrameSpec ToClient)
{
    internal static TestFlow Create(VethNamespace net, bool ipv6, byte protocol, ushort clientPort, ushort serverPort, VlanTag[]? vlans = null, int ipv4Options = 0, int payload = 40)
    {
        vlans ??= [];
        IPAddress client = ipv6 ? IPAddress.Parse("2001:db8:1::10") : IPAddress.Parse("198.18.1.10");
        IPAddress server = ipv6 ? IPAddress.Parse("2001:db8:2::20") : IPAddress.Parse("198.18.2.20");
        FrameSpec toServer = new()
        {
            SourceMac = net.PeerMac,
            DestinationMac = net.HostMac,
            Source = client,
            Destination = server,
            SourcePort = clientPort,
            DestinationPort = serverPort,
            Protocol = protocol,
            Vlans = vlans,
            IPv4OptionBytes = ipv4Options,
            PayloadLength = payload,
        };

        // Same MACs both ways: both directions arrive on the host end.
        FrameSpec toClient = toServer with
        {
            Source = server,
            Destination = client,
            SourcePort = serverPort,
            DestinationPort = clientPort,
            PayloadLength = payload + 7,
        };

        FlowTuple tuple = new(
            ipv6,
            FlowAddress.FromBytes(client.GetAddressBytes()),
            FlowAddress.FromBytes(server.GetAddressBytes()),
            clientPort,
            serverPort,
            protocol,
            vlans.Length > 0 ? vlans[0].Id : (ushort)0,
            vlans.Length > 1 ? vlans[1].Id : (ushort)0,
            vlans.Length > 2 ? vlans[2].Id : (ushort)0,
            0);
        return new TestFlow(tuple, toServer, toClient);
    }

    internal byte[] ToServerFrame => CraftedFrames.Build(ToServer);

    internal byte[] ToClientFrame => CraftedFrames.Build(ToClient);

    internal (byte, ushort, ushort) ToServerPorts => (Tuple.Protocol, Tuple.SourcePort, Tuple.DestinationPort);

    internal (byte, ushort, ushort) ToClientPorts => (Tuple.Protocol, Tuple.DestinationPort, Tuple.SourcePort);
}
