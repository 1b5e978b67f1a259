using System.Globalization;
using System.Net;
using Capture.Abstractions;
using FlowEngine.Decode;
using PacketDotNet;

namespace Capture.Differential.Tests;

/// <summary>
/// What both our decoder and PacketDotNet state about a frame's outermost IP packet and the link
/// before it, compared field by field. Inner layers of tunnels are not compared: PacketDotNet
/// follows few of the tunnels our decoder follows.
/// </summary>
internal static class DecoderComparison
{
    private const ushort EtherTypeMpls = 0x8847;
    private const ushort EtherTypeMplsMulticast = 0x8848;
    private const ushort EtherTypePppoeSession = 0x8864;
    private const ushort EtherTypeETag = 0x893F;
    private const ushort EtherTypeVnTag = 0x8926;
    private const ushort EtherTypeNsh = 0x894F;

    // The event of an IPv4 option whose length is under 2 or runs past the header: the packet fails, as in Suricata.
    private static readonly ushort OptionPastHeader = DecoderEvents.TryGetCode("ipv4.opt_invalid_len", out ushort code) ? code : throw new InvalidOperationException("the decoder raises no ipv4.opt_invalid_len");

    /// <summary>PacketDotNet's view of a frame, read out completely (it parses lazily and may throw on any access).</summary>
    public static OracleView Read(Packet theirs)
    {
        ushort? etherType = null;
        var vlans = new List<ushort>();
        IPPacket? ip = null;
        for (Packet? p = theirs; p is not null && ip is null; p = p.PayloadPacket)
        {
            switch (p)
            {
                case EthernetPacket ethernet:
                    etherType = (ushort)ethernet.Type;
                    break;
                case Ieee8021QPacket vlan:
                    vlans.Add((ushort)(vlan.VlanIdentifier & 0x0FFF));
                    etherType = (ushort)vlan.Type;
                    break;
                case LinuxSllPacket sll:
                    etherType = (ushort)sll.EthernetProtocolType;
                    break;
                case IPPacket first:
                    ip = first;
                    break;
            }
        }

        return new OracleView(etherType, vlans, ip, ip?.PayloadPacket);
    }

    public static void Compare(string where, in DecodedPacket ours, OracleView theirs, Disagreements found)
    {
        (ushort? etherType, List<ushort> vlans, IPPacket? ip, Packet? transport) = theirs;
        bool mpls = etherType is EtherTypeMpls or EtherTypeMplsMulticast;
        bool tag = etherType is EtherTypeETag or EtherTypeVnTag or EtherTypeNsh;
        if (etherType is not null && ours.EtherType != 0 && ours.EtherType != etherType)
        {
            string category = mpls ? "ethertype: MPLS" : tag ? "ethertype: E-Tag, VN-Tag, NSH" : etherType == EtherTypePppoeSession ? "ethertype: PPPoE session" : "ethertype";
            Report(found, where, category, Hex(ours.EtherType), Hex(etherType.Value));
        }

        if (ours.LayerCount == 0 || ip is null)
        {
            if (ours.LayerCount == 0 && ip is not null)
            {
                string why = HasEvent(in ours, OptionPastHeader) ? "IPv4 option past the header" : ours.Result.ToString();
                Report(found, where, $"ip layer: ours none ({why})", "none", ip.GetType().Name);
            }
            else if (ours.LayerCount != 0)
            {
                Report(found, where, mpls ? "ip layer: PacketDotNet none (MPLS)" : tag ? "ip layer: PacketDotNet none (E-Tag, VN-Tag, NSH)" : "ip layer: PacketDotNet none", "IP", "none");
            }

            return;
        }

        ref readonly PacketLayer layer = ref ours.Layers[0];

        string ourVlans = string.Join(',', new[] { layer.Vlan0, layer.Vlan1, layer.Vlan2 }.Take(layer.VlanCount));
        string theirVlans = string.Join(',', vlans.Take(3));
        if (!string.Equals(ourVlans, theirVlans, StringComparison.Ordinal))
        {
            Report(found, where, "vlan ids", ourVlans, theirVlans);
        }

        bool theirsIPv6 = ip.Version == IPVersion.IPv6;
        if (layer.IsIPv6 != theirsIPv6)
        {
            Report(found, where, "ip version", layer.IsIPv6 ? "6" : "4", theirsIPv6 ? "6" : "4");
            return;
        }

        bool embedded = (layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0;
        if (!embedded)
        {
            CompareAddress(found, where, "source address", layer.Source.ToIPAddress(layer.IsIPv6), ip.SourceAddress);
            CompareAddress(found, where, "destination address", layer.Destination.ToIPAddress(layer.IsIPv6), ip.DestinationAddress);
            if (layer.Protocol != (byte)ip.Protocol)
            {
                Report(found, where, ours.Result == DecodeResult.Ok ? (layer.IsIPv6 ? "protocol: IPv6 extension header chain" : "protocol") : $"protocol ({ours.Result})", layer.Protocol.ToString(CultureInfo.InvariantCulture), ((byte)ip.Protocol).ToString(CultureInfo.InvariantCulture));
            }
        }

        bool fragment = (layer.Flags & PacketLayerFlags.Fragment) != 0;
        if (ip is IPv4Packet ipv4)
        {
            bool theirsFragment = (ipv4.FragmentFlags & 1) != 0 || ipv4.FragmentOffset != 0;
            if (fragment != theirsFragment)
            {
                Report(found, where, "ipv4 fragment", fragment ? "fragment" : "whole", $"MF={ipv4.FragmentFlags & 1} offset={ipv4.FragmentOffset}");
            }
        }

        if (fragment || (layer.Flags & PacketLayerFlags.HasFlowKey) == 0)
        {
            return;
        }

        byte protocol = layer.Protocol;
        if (embedded)
        {
            // The layer is keyed by the quoted packet; the ICMP header is still the outer one's.
            protocol = layer.IsIPv6 ? IpProtocol.Icmpv6 : IpProtocol.Icmp;
        }

        switch (protocol)
        {
            case IpProtocol.Tcp when transport is TcpPacket tcp:
                ComparePorts(found, where, "tcp", layer, tcp.SourcePort, tcp.DestinationPort);
                if (layer.TcpFlags != (byte)tcp.Flags)
                {
                    Report(found, where, "tcp flags", Hex(layer.TcpFlags), Hex((byte)tcp.Flags));
                }

                break;
            case IpProtocol.Udp when transport is UdpPacket udp:
                ComparePorts(found, where, "udp", layer, udp.SourcePort, udp.DestinationPort);
                break;
            case IpProtocol.Icmp when transport is IcmpV4Packet icmp:
                CompareIcmp(found, where, "icmp", layer, (byte)((ushort)icmp.TypeCode >> 8), (byte)icmp.TypeCode);
                break;
            case IpProtocol.Icmpv6 when transport is IcmpV6Packet icmpv6:
                CompareIcmp(found, where, "icmpv6", layer, (byte)icmpv6.Type, icmpv6.Code);
                break;
            case IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Icmp or IpProtocol.Icmpv6:
                string what = ip is IPv6Packet { PayloadLength: 0 } ? "transport: PacketDotNet none (IPv6 jumbogram)" : $"transport {protocol}: PacketDotNet none";
                Report(found, where, what, "header", transport?.GetType().Name ?? "none");
                break;
        }
    }

    private static void ComparePorts(Disagreements found, string where, string protocol, in PacketLayer layer, ushort source, ushort destination)
    {
        if (layer.SourcePort != source || layer.DestinationPort != destination)
        {
            Report(found, where, $"{protocol} ports", $"{layer.SourcePort}->{layer.DestinationPort}", $"{source}->{destination}");
        }
    }

    private static void CompareIcmp(Disagreements found, string where, string protocol, in PacketLayer layer, byte type, byte code)
    {
        if (layer.IcmpType != type || layer.IcmpCode != code)
        {
            Report(found, where, $"{protocol} type/code", $"{layer.IcmpType}/{layer.IcmpCode}", $"{type}/{code}");
        }
    }

    private static void CompareAddress(Disagreements found, string where, string field, IPAddress ours, IPAddress theirs)
    {
        if (!ours.Equals(theirs))
        {
            Report(found, where, field, ours.ToString(), theirs.ToString());
        }
    }

    private static string Hex(int value) => $"0x{value:x4}";

    private static bool HasEvent(in DecodedPacket packet, ushort code)
    {
        for (int i = 0; i < packet.EventCount; i++)
        {
            if (packet.EventCodes[i] == code)
            {
                return true;
            }
        }

        return false;
    }

    private static void Report(Disagreements found, string where, string category, string ours, string theirs) =>
        found.Add(category, $"{where}: ours {ours}, PacketDotNet {theirs}");
}
