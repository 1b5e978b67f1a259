using PacketDotNet;

namespace Capture.Differential.Tests;

/// <summary>What PacketDotNet decoded of a frame: the EtherType after the link and VLAN headers, the VLAN ids, the first IP packet and its payload.</summary>
internal sealed record OracleView(ushort? EtherType, List<ushort> Vlans, IPPacket? IP, Packet? Transport);
