using System.Net;
using Capture.Abstractions;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using static Capture.Tests.Kernel.TunnelFrames;

namespace FlowEngine.Tests.Decode;

/// <summary>
/// The decoder names the tunnel a layer came in (kind and VNI, GRE key or ERSPAN session) as the
/// XDP filter keys it, and a bypass request passes it with the outer addresses (PacketContext).
/// </summary>
public sealed class TunnelIdentityTests
{
    private static readonly byte[] Inner = IPv4("10.9.0.1", "10.9.0.2", 6, Tcp(40000, 80));

    public static TheoryData<string, byte[], TunnelKind, uint> Tunnels() => new()
    {
        { "VXLAN", Outer(17, Udp(51000, 4789, Vxlan(0xabcdef, Ethernet(Ipv4, Inner)))), TunnelKind.Vxlan, 0xabcdef },
        { "Geneve", Outer(17, Udp(51000, 6081, Geneve(0x123, Bridging, Ethernet(Ipv4, Inner), optionWords: 2))), TunnelKind.Geneve, 0x123 },
        { "GRE with a key after the checksum", Outer(47, Gre(Ipv4, Inner, checksum: true, key: 0xdeadbeef, sequence: true)), TunnelKind.Gre, 0xdeadbeef },
        { "GRE without a key", Outer(47, Gre(Bridging, Ethernet(Ipv4, Inner))), TunnelKind.Gre, 0 },
        { "ERSPAN type I", Outer(47, Gre(0x88be, Ethernet(Ipv4, Inner))), TunnelKind.Erspan, 0 },
        { "ERSPAN type II", Outer(47, Gre(0x88be, ErspanII(0x155, Ethernet(Ipv4, Inner)), sequence: true)), TunnelKind.Erspan, 0x155 },
        { "ERSPAN type III", Outer(47, Gre(0x22eb, ErspanIII(0x3ff, Ethernet(Ipv4, Inner), platformHeader: true), sequence: true)), TunnelKind.Erspan, 0x3ff },
        { "GRE with source routing (the filter does not follow it)", Outer(47, Gre(Ipv4, Inner, extraFlags: 0x4000, key: 5)), TunnelKind.Other, 0 },
        { "ERSPAN type II under GRE source routing", Outer(47, Gre(0x88be, ErspanII(0x155, Ethernet(Ipv4, Inner)), sequence: true, extraFlags: 0x4000)), TunnelKind.Other, 0 },
        { "IP in IP", Outer(4, Inner), TunnelKind.Other, 0 },
    };

    [Theory]
    [MemberData(nameof(Tunnels))]
    public void The_inner_layer_names_its_tunnel_and_a_bypass_request_passes_it(string name, byte[] frame, TunnelKind kind, uint id)
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(frame));
        Assert.True(t.Packet.LayerCount == 2, $"{name}: {t.Packet.LayerCount} layers");
        Assert.Equal(TunnelKind.None, t.Layer(0).TunnelKind);
        Assert.Equal(kind, t.Layer(1).TunnelKind);

        FlowTunnel tunnel = PacketContext.TunnelOf(in t.Packet);
        Assert.Equal(new FlowTunnel(kind, id, false, Address("192.0.2.20"), Address("192.0.2.10")), tunnel);
    }

    [Fact]
    public void A_packet_on_the_wire_has_no_tunnel()
    {
        var t = new DecoderUnderTest();
        Assert.Equal(DecodeResult.Ok, t.Decode(Ethernet(Ipv4, Inner)));
        Assert.Equal(default, PacketContext.TunnelOf(in t.Packet));
    }

    private static byte[] Outer(byte protocol, byte[] payload) => Ethernet(Ipv4, IPv4("192.0.2.20", "192.0.2.10", protocol, payload));

    private static FlowAddress Address(string text) => FlowAddress.FromBytes(IPAddress.Parse(text).GetAddressBytes());
}
