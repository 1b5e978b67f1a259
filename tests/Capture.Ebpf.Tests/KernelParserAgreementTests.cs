using System.Net;
using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;
using Capture.Pcap.Bypass;
using Capture.Tests.Kernel;
using Capture.Tests.Shared;
using FlowEngine.Tests.Decode;
using Xunit.Abstractions;
using static Capture.Tests.Kernel.TunnelFrames;

namespace Capture.Ebpf.Tests;

/// <summary>
/// The kernel filter (run with BPF_PROG_TEST_RUN, no interface) and its software twin
/// (Capture.Pcap's OuterHeaderParser) key every frame alike: each frame the twin keys is dropped
/// by the kernel with exactly that key in the map (and, inside a tunnel, not with the tunnel's
/// identity left out); each frame the twin does not key, the kernel passes.
/// </summary>
public sealed class KernelParserAgreementTests
{
    private readonly ITestOutputHelper _output;

    public KernelParserAgreementTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, byte[], string?> Cases()
    {
        byte[] tcp = Tcp(40000, 80);
        byte[] udp = Udp(5353, 53, [1, 2, 3, 4]);
        byte[] innerV4 = IPv4("10.9.0.1", "10.9.0.2", 6, tcp);
        byte[] innerFrame = Ethernet(Ipv4, innerV4);
        byte[] innerTagged = Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 17, udp), 42);
        byte[] innerV6Frame = Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp));
        byte[] Outer4(byte protocol, byte[] payload) => Ethernet(Ipv4, IPv4("192.0.2.20", "192.0.2.10", protocol, payload));
        return new TheoryData<string, byte[], string?>
        {
            { "IPv4 TCP", Ethernet(Ipv4, innerV4), "10.9.0.1:40000 > 10.9.0.2:80 proto 6" },
            { "IPv4 options (NOPs, 8 bytes)", Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 17, udp, [1, 1, 1, 1, 1, 1, 1, 0])), "10.9.0.1:5353 > 10.9.0.2:53 proto 17" },
            { "IPv4 options (40 bytes, the most)", Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 6, tcp, new byte[40])), "10.9.0.1:40000 > 10.9.0.2:80 proto 6" },
            { "IPv4 first fragment", Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 17, udp, fragment: 0x2000)), null },
            { "IPv4 later fragment", Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 17, udp, fragment: 0x0004)), null },
            { "IPv4 behind three VLAN tags", Ethernet(Ipv4, innerV4, 1, 2, 3), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 vlan 1/2/3" },
            { "four VLAN tags", Ethernet(Ipv4, innerV4, 1, 2, 3, 4), null },
            { "IPv6 UDP", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp)), "fd00::1:5353 > fd00::2:53 proto 17" },
            { "IPv6 hop-by-hop", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp, (0, 0))), "fd00::1:5353 > fd00::2:53 proto 17" },
            { "IPv6 hop-by-hop, routing, destination options", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 6, tcp, (0, 1), (43, 2), (60, 0))), "fd00::1:40000 > fd00::2:80 proto 6" },
            { "IPv6 four extension headers", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 6, tcp, (0, 0), (60, 0), (43, 0), (60, 3))), "fd00::1:40000 > fd00::2:80 proto 6" },
            { "IPv6 five extension headers", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 6, tcp, (0, 0), (60, 0), (43, 0), (60, 0), (60, 0))), null },
            { "IPv6 fragment header", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp, (44, 0))), null },
            { "IPv6 destination options, then fragment", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp, (60, 0), (44, 0))), null },
            { "IPv6 extension header cut short", Ethernet(Ipv6, IPv6("fd00::1", "fd00::2", 17, [], (60, 4)))[..60], null },
            { "VXLAN, inner TCP", Outer4(17, Udp(51000, 4789, Vxlan(0xabcdef, innerFrame))), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Vxlan 11259375 192.0.2.10-192.0.2.20" },
            { "VXLAN, inner VLAN-tagged UDP", Outer4(17, Udp(51000, 4789, Vxlan(7, innerTagged))), "10.9.0.1:5353 > 10.9.0.2:53 proto 17 vlan 42/0/0 in Vxlan 7 192.0.2.10-192.0.2.20" },
            { "VXLAN, inner IPv6", Outer4(17, Udp(51000, 4789, Vxlan(7, innerV6Frame))), "fd00::1:5353 > fd00::2:53 proto 17 in Vxlan 7 192.0.2.10-192.0.2.20" },
            { "VXLAN without the I flag: the outer UDP flow", Outer4(17, Udp(51000, 4789, Vxlan(7, innerFrame, flags: 0))), "192.0.2.20:51000 > 192.0.2.10:4789 proto 17" },
            { "VXLAN, inner ARP", Outer4(17, Udp(51000, 4789, Vxlan(7, Ethernet(0x0806, new byte[28])))), null },
            { "VXLAN over IPv6", Ethernet(Ipv6, IPv6("2001:db8::20", "2001:db8::10", 17, Udp(51000, 4789, Vxlan(9, innerFrame)), (60, 0))), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Vxlan 9 2001:db8::10-2001:db8::20" },
            { "Geneve with options, inner Ethernet", Outer4(17, Udp(51000, 6081, Geneve(0x123, Bridging, innerFrame, optionWords: 3))), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Geneve 291 192.0.2.10-192.0.2.20" },
            { "Geneve, inner IPv4", Outer4(17, Udp(51000, 6081, Geneve(5, Ipv4, innerV4))), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Geneve 5 192.0.2.10-192.0.2.20" },
            { "GRE, inner IPv4", Outer4(47, Gre(Ipv4, innerV4)), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Gre 0 192.0.2.10-192.0.2.20" },
            { "GRE with checksum, key and sequence", Outer4(47, Gre(Ipv4, innerV4, checksum: true, key: 0xdeadbeef, sequence: true)), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Gre 3735928559 192.0.2.10-192.0.2.20" },
            { "GRE transparent Ethernet bridging", Outer4(47, Gre(Bridging, innerTagged, key: 100)), "10.9.0.1:5353 > 10.9.0.2:53 proto 17 vlan 42/0/0 in Gre 100 192.0.2.10-192.0.2.20" },
            { "GRE, inner IPv6", Outer4(47, Gre(Ipv6, IPv6("fd00::1", "fd00::2", 17, udp))), "fd00::1:5353 > fd00::2:53 proto 17 in Gre 0 192.0.2.10-192.0.2.20" },
            { "GRE with source routing", Outer4(47, Gre(Ipv4, innerV4, extraFlags: 0x4000)), null },
            { "GRE version 1", Outer4(47, Gre(0x880b, new byte[8], key: 1, extraFlags: 1)), null },
            { "GRE carrying ARP", Outer4(47, Gre(0x0806, new byte[28])), null },
            { "ERSPAN type I", Outer4(47, Gre(0x88be, innerFrame)), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Erspan 0 192.0.2.10-192.0.2.20" },
            { "ERSPAN type II", Outer4(47, Gre(0x88be, ErspanII(0x155, innerFrame), sequence: true)), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Erspan 341 192.0.2.10-192.0.2.20" },
            { "ERSPAN type III", Outer4(47, Gre(0x22eb, ErspanIII(0x2a, innerTagged, platformHeader: false), sequence: true)), "10.9.0.1:5353 > 10.9.0.2:53 proto 17 vlan 42/0/0 in Erspan 42 192.0.2.10-192.0.2.20" },
            { "ERSPAN type III with platform sub-header", Outer4(47, Gre(0x22eb, ErspanIII(0x3ff, innerFrame, platformHeader: true), sequence: true)), "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Erspan 1023 192.0.2.10-192.0.2.20" },
            { "GRE inside VXLAN: one tunnel deep only", Outer4(17, Udp(51000, 4789, Vxlan(7, Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 47, Gre(Ipv4, innerV4)))))), null },
            { "VXLAN inside VXLAN: the first inner UDP flow", Outer4(17, Udp(51000, 4789, Vxlan(7, Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 17, Udp(1000, 4789, Vxlan(8, innerFrame))))))), "10.9.0.1:1000 > 10.9.0.2:4789 proto 17 in Vxlan 7 192.0.2.10-192.0.2.20" },
            { "VXLAN cut inside the inner IP header", Outer4(17, Udp(51000, 4789, Vxlan(7, innerFrame)))[..70], null },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_kernel_and_the_twin_key_each_case_alike(string name, byte[] frame, string? expected)
    {
        KernelPrerequisites.Require(needBpffs: false);
        using var kernel = new XdpTestRun();
        bool keyed = OuterHeaderParser.TryParse(LinkType.Ethernet, frame, 0, PacketFlags.None, out HalfFlowKey key);
        Assert.True(expected is not null == keyed, $"{name}: the twin {(keyed ? "keyed " + Describe(key.ToTuple()) : "did not key it")}");
        if (keyed)
        {
            Assert.Equal(expected, Describe(key.ToTuple()));
        }

        Assert.Null(Disagreement(kernel, frame, keyed, key));
    }

    [Fact]
    public void Configured_vxlan_ports_are_followed_and_the_default_one_then_is_not()
    {
        KernelPrerequisites.Require(needBpffs: false);
        using var kernel = new XdpTestRun(vxlanPorts: [8472]);
        byte[] inner = Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 6, Tcp(40000, 80)));
        ushort[] ports = [8472];
        foreach ((ushort port, string expected) in new[]
        {
            ((ushort)8472, "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Vxlan 3 192.0.2.1-192.0.2.2"),
            ((ushort)4789, "192.0.2.1:51000 > 192.0.2.2:4789 proto 17"),
        })
        {
            byte[] frame = Ethernet(Ipv4, IPv4("192.0.2.1", "192.0.2.2", 17, Udp(51000, port, Vxlan(3, inner))));
            Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, frame, 0, PacketFlags.None, ports, OuterHeaderParser.DefaultGenevePort, out HalfFlowKey key));
            Assert.Equal(expected, Describe(key.ToTuple()));
            Assert.Null(Disagreement(kernel, frame, true, key));
        }
    }

    [Fact]
    public void A_configured_geneve_port_is_followed_and_without_tunnel_ports_the_carrier_is_keyed()
    {
        KernelPrerequisites.Require(needBpffs: false);
        byte[] inner = Ethernet(Ipv4, IPv4("10.9.0.1", "10.9.0.2", 6, Tcp(40000, 80)));
        byte[] geneveOn6082 = Ethernet(Ipv4, IPv4("192.0.2.1", "192.0.2.2", 17, Udp(51000, 6082, Geneve(7, Bridging, inner))));
        byte[] geneveOn6081 = Ethernet(Ipv4, IPv4("192.0.2.1", "192.0.2.2", 17, Udp(51000, 6081, Geneve(7, Bridging, inner))));
        byte[] vxlan = Ethernet(Ipv4, IPv4("192.0.2.1", "192.0.2.2", 17, Udp(51000, 4789, Vxlan(3, inner))));
        using (var kernel = new XdpTestRun(genevePort: 6082))
        {
            ushort[] ports = [4789];
            foreach ((byte[] frame, string expected) in new[]
            {
                (geneveOn6082, "10.9.0.1:40000 > 10.9.0.2:80 proto 6 in Geneve 7 192.0.2.1-192.0.2.2"),
                (geneveOn6081, "192.0.2.1:51000 > 192.0.2.2:6081 proto 17"),
            })
            {
                Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, frame, 0, PacketFlags.None, ports, 6082, out HalfFlowKey key));
                Assert.Equal(expected, Describe(key.ToTuple()));
                Assert.Null(Disagreement(kernel, frame, true, key));
            }
        }

        // decoder.vxlan.enabled: no and decoder.geneve.enabled: no: the carrying UDP flow is the flow.
        using (var kernel = new XdpTestRun(vxlanPorts: [], genevePort: 0))
        {
            foreach ((byte[] frame, string expected) in new[]
            {
                (vxlan, "192.0.2.1:51000 > 192.0.2.2:4789 proto 17"),
                (geneveOn6081, "192.0.2.1:51000 > 192.0.2.2:6081 proto 17"),
            })
            {
                Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, frame, 0, PacketFlags.None, [], 0, out HalfFlowKey key));
                Assert.Equal(expected, Describe(key.ToTuple()));
                Assert.Null(Disagreement(kernel, frame, true, key));
            }
        }
    }

    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_kernel_and_the_twin_agree_on_every_shared_capture()
    {
        KernelPrerequisites.Require(needBpffs: false);
        using var kernel = new XdpTestRun();
        // The shared captures and Suricata's own test captures beside them (where the tunnels are).
        string root = Path.GetDirectoryName(SharedPcaps.Directory)!;
        var files = new[] { SharedPcaps.Directory, SharedPcaps.SuricataVerifyDirectory }
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".pcap" or ".pcapng" or ".cap")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count > 800, $"expected the shared captures in {root}, found {files.Count} files");
        var problems = new List<string>();
        long frames = 0, keyed = 0, tunnelled = 0, tooLong = 0;
        var kinds = new Dictionary<TunnelKind, long>();
        foreach (string file in files)
        {
            List<TestCapturePacket> capture;
            try
            {
                capture = TestCaptureReader.Read(file);
            }
            catch (InvalidDataException)
            {
                continue;
            }

            int index = 0;
            foreach (TestCapturePacket p in capture)
            {
                index++;
                if (p.Record.LinkType != LinkType.Ethernet || p.Data.Length < 14)
                {
                    continue; // XDP sees Ethernet frames only
                }

                if (p.Data.Length > XdpTestRun.MaxFrame)
                {
                    tooLong++;
                    continue;
                }

                frames++;
                bool isKeyed = OuterHeaderParser.TryParse(LinkType.Ethernet, p.Data, 0, PacketFlags.None, out HalfFlowKey key);
                if (isKeyed)
                {
                    keyed++;
                    TunnelKind kind = key.ToTuple().Tunnel.Kind;
                    if (kind != TunnelKind.None)
                    {
                        tunnelled++;
                        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    }
                }

                string? problem = Disagreement(kernel, p.Data, isKeyed, key);
                if (problem is not null && problems.Count < 20)
                {
                    problems.Add($"{Path.GetRelativePath(root, file)} #{index}: {problem}");
                }
            }
        }

        _output.WriteLine($"{frames} Ethernet frames, {keyed} keyed ({tunnelled} inside a tunnel: {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}), {tooLong} longer than a test run takes");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(frames > 100_000 && keyed > 50_000, $"only {frames} frames, {keyed} keyed");
        Assert.True(tunnelled > 150, $"only {tunnelled} frames inside a tunnel were compared");
    }

    /// <summary>Null when the kernel decides the frame as the twin's key says, else what it did.</summary>
    private static string? Disagreement(XdpTestRun kernel, byte[] frame, bool keyed, HalfFlowKey key)
    {
        if (!keyed)
        {
            uint verdict = kernel.Run(frame);
            return verdict == XdpTestRun.Pass ? null : $"the twin keys nothing, the kernel returned {verdict}";
        }

        FlowTuple tuple = key.ToTuple();
        return tuple.IsIPv6 ? Check(kernel, frame, FlowKeyV6.ToServer(tuple), FlowKeyV6.ToServer(tuple with { Tunnel = default }), tuple)
            : Check(kernel, frame, FlowKeyV4.ToServer(tuple), FlowKeyV4.ToServer(tuple with { Tunnel = default }), tuple);
    }

    private static string? Check<TKey>(XdpTestRun kernel, byte[] frame, TKey key, TKey withoutTunnel, FlowTuple tuple)
        where TKey : unmanaged, IEquatable<TKey>
    {
        kernel.Insert(key);
        try
        {
            uint verdict = kernel.Run(frame);
            long packets = kernel.Packets(key);
            if (verdict != XdpTestRun.Drop || packets != 1)
            {
                return $"the twin keys {Describe(tuple)}, the kernel returned {verdict} and counted {packets} with that key";
            }
        }
        finally
        {
            kernel.Delete(key);
        }

        if (tuple.Tunnel.Kind == TunnelKind.None)
        {
            return null;
        }

        // The tunnel's identity is part of the key: the inner flow alone matches nothing.
        kernel.Insert(withoutTunnel);
        try
        {
            uint verdict = kernel.Run(frame);
            return verdict == XdpTestRun.Pass ? null : $"{Describe(tuple)}: the kernel dropped it with the tunnel left out of the key";
        }
        finally
        {
            kernel.Delete(withoutTunnel);
        }
    }

    private static string Describe(FlowTuple t)
    {
        string text = $"{t.Source.ToIPAddress(t.IsIPv6)}:{t.SourcePort} > {t.Destination.ToIPAddress(t.IsIPv6)}:{t.DestinationPort} proto {t.Protocol}";
        if (t.Vlan0 != 0 || t.Vlan1 != 0 || t.Vlan2 != 0)
        {
            text += $" vlan {t.Vlan0}/{t.Vlan1}/{t.Vlan2}";
        }

        if (t.Tunnel.Kind != TunnelKind.None)
        {
            IPAddress low = t.Tunnel.OuterSource.ToIPAddress(t.Tunnel.OuterIsIPv6);
            IPAddress high = t.Tunnel.OuterDestination.ToIPAddress(t.Tunnel.OuterIsIPv6);
            text += $" in {t.Tunnel.Kind} {t.Tunnel.Id} {low}-{high}";
        }

        return text;
    }
}
