using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// A record's <c>pkt_src</c>, from the decoded layers. Suricata makes a packet of its own for each
/// tunnel's inner packet and for each reassembled datagram, and names it after what made it
/// (decode.c <c>PktSrcToString</c>, set where the decoders call <c>PacketTunnelPktSetup</c> and in
/// defrag.c); here the layer a record is about stands for that packet.
/// </summary>
internal static class PacketSources
{
    /// <summary>The source of the packet <paramref name="layer"/> (an index into the packet's layers) stands for.</summary>
    public static PacketSource Of(in DecodedPacket packet, int layer)
    {
        if ((uint)layer >= (uint)packet.LayerCount)
        {
            // No IP layer (ARP, a frame that failed before its IP header): the captured packet.
            return PacketSource.Wire;
        }

        ref readonly PacketLayer inner = ref packet.Layers[layer];
        if ((inner.Flags & (PacketLayerFlags.Reassembled | PacketLayerFlags.Fragment)) == PacketLayerFlags.Reassembled)
        {
            // Reassembly made the packet (inside a tunnel too). A tunnel inside a reassembled
            // datagram made another, the inner layer's, named by its tunnel below. The fragment that
            // completed a datagram (Fragment and Reassembled), seen on its own, is the captured packet.
            return PacketSource.Defrag;
        }

        if (layer == 0)
        {
            return PacketSource.Wire;
        }

        ref readonly PacketLayer outer = ref packet.Layers[layer - 1];
        return inner.TunnelKind switch
        {
            TunnelKind.Vxlan => PacketSource.Vxlan,
            TunnelKind.Geneve => PacketSource.Geneve,
            TunnelKind.Gre or TunnelKind.Erspan => PacketSource.GreTunnel,

            // The tunnels the decoder does not name apart: GRE it does not follow (PPP, WCCP,
            // version 1, source routes), Teredo (in UDP), and IP in IP, named by the outer header.
            _ => outer.Protocol switch
            {
                IpProtocol.Gre => PacketSource.GreTunnel,
                IpProtocol.Udp => PacketSource.TeredoTunnel,
                _ => outer.IsIPv6 ? PacketSource.IPv6Tunnel : PacketSource.IPv4Tunnel,
            },
        };
    }

    /// <summary>The index of the innermost layer with a flow key (the one a packet's flow is keyed by), 0 when none has one.</summary>
    public static int FlowLayer(in DecodedPacket packet)
    {
        int layer = packet.LayerCount - 1;
        while (layer > 0 && (packet.Layers[layer].Flags & PacketLayerFlags.HasFlowKey) == 0)
        {
            layer--;
        }

        return Math.Max(layer, 0);
    }

    /// <summary>
    /// The captured packet that the packet <paramref name="layer"/> stands for came in, when that is
    /// a tunnel's inner packet or a reassembled datagram (Suricata's root packet, which an alert
    /// describes in its <c>tunnel</c> object): the outermost layer's addresses, protocol and ports (0
    /// where the captured packet had none decoded: a fragment's); null for a packet as captured.
    /// </summary>
    public static FlowTuple? Root(in DecodedPacket packet, int layer)
    {
        if ((uint)layer >= (uint)packet.LayerCount || (layer == 0 && (packet.Layers[0].Flags & (PacketLayerFlags.Reassembled | PacketLayerFlags.Fragment)) != PacketLayerFlags.Reassembled))
        {
            return null;
        }

        ref readonly PacketLayer root = ref packet.Layers[0];
        bool ports = EveFormat.HasPorts(root.Protocol) && (root.Flags & (PacketLayerFlags.Reassembled | PacketLayerFlags.Fragment)) == 0;
        return new FlowTuple(root.IsIPv6, root.Source, root.Destination, ports ? root.SourcePort : (ushort)0, ports ? root.DestinationPort : (ushort)0, root.Protocol, 0, 0, 0, 0);
    }

    /// <summary>The <c>pkt_src</c> text, as Suricata writes it.</summary>
    public static ReadOnlySpan<byte> Utf8(PacketSource source) => source switch
    {
        PacketSource.GreTunnel => "gre tunnel"u8,
        PacketSource.IPv4Tunnel => "ipv4 tunnel"u8,
        PacketSource.IPv6Tunnel => "ipv6 tunnel"u8,
        PacketSource.TeredoTunnel => "teredo tunnel"u8,
        PacketSource.Vxlan => "vxlan encapsulation"u8,
        PacketSource.Geneve => "geneve encapsulation"u8,
        PacketSource.Defrag => "defrag"u8,
        _ => "wire/pcap"u8,
    };
}
