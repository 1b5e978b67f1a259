using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;

namespace Capture.Ebpf.Tests;

/// <summary>The map ABI (key layout shared with Bpf/xdp_bypass.c) and the options' checks; no kernel needed.</summary>
public sealed class OptionsAndKeyTests
{
    [Fact]
    public void Keys_have_the_layout_of_the_c_structs()
    {
        Assert.Equal(60, Unsafe.SizeOf<FlowKeyV4>());
        Assert.Equal(84, Unsafe.SizeOf<FlowKeyV6>());
        Assert.Equal(40, Unsafe.SizeOf<TunnelKey>());
        Assert.Equal(20, (int)Marshal.OffsetOf<FlowKeyV4>(nameof(FlowKeyV4.Tunnel)));
        Assert.Equal(44, (int)Marshal.OffsetOf<FlowKeyV6>(nameof(FlowKeyV6.Tunnel)));
        Assert.Equal(32, (int)Marshal.OffsetOf<TunnelKey>(nameof(TunnelKey.Id)));
        Assert.Equal(36, (int)Marshal.OffsetOf<TunnelKey>(nameof(TunnelKey.Kind)));
        Assert.Equal(37, (int)Marshal.OffsetOf<TunnelKey>(nameof(TunnelKey.OuterIsIPv6)));
        Assert.Equal(12, (int)Marshal.OffsetOf<FlowKeyV4>(nameof(FlowKeyV4.Protocol)));
        Assert.Equal(14, (int)Marshal.OffsetOf<FlowKeyV4>(nameof(FlowKeyV4.Vlan0)));
        Assert.Equal(36, (int)Marshal.OffsetOf<FlowKeyV6>(nameof(FlowKeyV6.Protocol)));
        Assert.Equal(38, (int)Marshal.OffsetOf<FlowKeyV6>(nameof(FlowKeyV6.Vlan0)));
    }

    [Fact]
    public void An_ipv4_key_carries_wire_order_addresses_and_ports_and_host_order_vlan_ids()
    {
        FlowTuple flow = new(false, Address("192.0.2.1"), Address("198.51.100.2"), 40000, 443, 6, 100, 0xfff, 7, 0);
        FlowKeyV4 key = FlowKeyV4.ToServer(flow);
        byte[] bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKeyV4>(in key)).ToArray();
        Assert.Equal(
            new byte[] { 192, 0, 2, 1, 198, 51, 100, 2, 0x9c, 0x40, 0x01, 0xbb, 6, 0, 100, 0, 0xff, 0x0f, 7, 0 },
            bytes[..20]);
        Assert.All(bytes[20..], b => Assert.Equal(0, b)); // on the wire: no tunnel
        Assert.Equal(flow, key.ToTuple());
        Assert.Equal(flow.Reverse(), key.Reverse().ToTuple());
    }

    [Fact]
    public void An_ipv6_key_round_trips()
    {
        FlowTuple flow = new(true, Address("2001:db8::1"), Address("2001:db8::2"), 5353, 53, 17, 1, 2, 3, 0);
        FlowKeyV6 key = FlowKeyV6.ToServer(flow);
        byte[] bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKeyV6>(in key)).ToArray();
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), bytes[..16]);
        Assert.Equal(new byte[] { 0x14, 0xe9, 0, 53, 17, 0, 1, 0, 2, 0, 3, 0 }, bytes[32..44]);
        Assert.Equal(flow, key.ToTuple());
    }

    [Fact]
    public void A_tunnelled_key_orders_the_outer_addresses_so_both_tunnel_directions_share_it()
    {
        FlowTuple flow = new(false, Address("10.1.0.1"), Address("10.1.0.2"), 40000, 80, 6, 0, 0, 0, 1)
        {
            Tunnel = new FlowTunnel(TunnelKind.Vxlan, 0x123456, false, Address("192.0.2.9"), Address("192.0.2.1")),
        };
        FlowKeyV4 key = FlowKeyV4.ToServer(flow);
        byte[] bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKeyV4>(in key)).ToArray();
        Assert.Equal(new byte[] { 192, 0, 2, 1 }, bytes[20..24]);
        Assert.All(bytes[24..36], b => Assert.Equal(0, b));
        Assert.Equal(new byte[] { 192, 0, 2, 9 }, bytes[36..40]);
        Assert.Equal(new byte[] { 0x56, 0x34, 0x12, 0, 1, 0, 0, 0 }, bytes[52..60]);

        // The other tunnel direction (outer addresses swapped) names the same tunnel.
        FlowTuple back = flow with { Tunnel = flow.Tunnel with { OuterSource = flow.Tunnel.OuterDestination, OuterDestination = flow.Tunnel.OuterSource } };
        Assert.Equal(key, FlowKeyV4.ToServer(back));
        Assert.NotEqual(key, FlowKeyV4.ToServer(flow with { Tunnel = flow.Tunnel with { Id = 0x123457 } }));

        // The round trip keeps the identity (lower address as the outer source) and the depth.
        FlowTuple restored = key.ToTuple();
        Assert.Equal(1, restored.TunnelDepth);
        Assert.Equal(Address("192.0.2.1"), restored.Tunnel.OuterSource);
        Assert.Equal(key, FlowKeyV4.ToServer(restored));

        FlowTuple v6 = new(true, Address("2001:db8::1"), Address("2001:db8::2"), 1, 2, 17, 0, 0, 0, 1)
        {
            Tunnel = new FlowTunnel(TunnelKind.Gre, 7, true, Address("2001:db8:ff::2"), Address("2001:db8:ff::1")),
        };
        FlowKeyV6 key6 = FlowKeyV6.ToServer(v6);
        byte[] bytes6 = MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKeyV6>(in key6)).ToArray();
        Assert.Equal(IPAddress.Parse("2001:db8:ff::1").GetAddressBytes(), bytes6[44..60]);
        Assert.Equal(new byte[] { 7, 0, 0, 0, 3, 1, 0, 0 }, bytes6[76..84]);
    }

    [Theory]
    [InlineData("soft", XdpMode.Soft)]
    [InlineData("driver", XdpMode.Driver)]
    [InlineData("hw", XdpMode.Hardware)]
    [InlineData(" HW ", XdpMode.Hardware)]
    public void Modes_parse_as_suricata_spells_them(string text, XdpMode mode)
    {
        Assert.Equal(mode, XdpBypassOptions.ParseMode(text));
        Assert.Equal(text.Trim().ToLowerInvariant(), XdpBypassOptions.FormatMode(mode));
    }

    [Fact]
    public void Bad_options_are_named()
    {
        Assert.Contains("xdp-mode: 'turbo'", Assert.Throws<ConfigurationException>(() => XdpBypassOptions.ParseMode("turbo")).Message, StringComparison.Ordinal);
        Assert.Contains("not a valid interface name", Assert.Throws<ConfigurationException>(() => new XdpBypassOptions().Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("capacity 1 is out of range", Assert.Throws<ConfigurationException>(() => new XdpBypassOptions { Interface = "eth0", MapCapacity = 1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("must be an absolute path", Assert.Throws<ConfigurationException>(() => new XdpBypassOptions { Interface = "eth0", PinnedMaps = true, PinRoot = "relative" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("VXLAN ports [4789, 0]", Assert.Throws<ConfigurationException>(() => new XdpBypassOptions { Interface = "eth0", VxlanPorts = [4789, 0] }.Validate()).Message, StringComparison.Ordinal);
        new XdpBypassOptions { Interface = "eth0", Mode = XdpMode.Hardware, PerCpuMaps = false }.Validate();
    }

    private static FlowAddress Address(string text) => FlowAddress.FromBytes(IPAddress.Parse(text).GetAddressBytes());
}
