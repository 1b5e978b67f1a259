using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Conformance;
using Capture.Pcap.Bypass;
using Capture.Tests.Kernel;

namespace Capture.Pcap.Tests;

/// <summary>The software bypass table and its header parser, without a file.</summary>
public sealed class SoftwareBypassStrategyTests
{
    private static readonly FlowTuple Tcp4 = FrameBuilder.Flow("192.0.2.1", 5000, "198.51.100.7", 443, 6);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_parser_keys_each_direction_with_up_to_three_VLAN_tags(bool ipv6)
    {
        FlowTuple flow = ipv6
            ? FrameBuilder.Flow("2001:db8::1", 5000, "2001:db8::2", 53, 17, 10, 20, 30)
            : FrameBuilder.Flow("192.0.2.1", 5000, "198.51.100.7", 443, 6, 10, 20, 30);
        Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, FrameBuilder.Build(flow, true, 10, 1), 0, PacketFlags.None, out HalfFlowKey toServer));
        Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, FrameBuilder.Build(flow, false, 10, 2), 0, PacketFlags.None, out HalfFlowKey toClient));
        Assert.Equal(HalfFlowKey.ToServer(flow), toServer);
        Assert.Equal(HalfFlowKey.ToClient(flow), toClient);
        Assert.NotEqual(toServer, toClient);
        Assert.NotEqual(HalfFlowKey.ToServer(flow with { Vlan2 = 31 }), toServer);
    }

    [Fact]
    public void A_tag_the_capture_stripped_counts_as_the_outermost_VLAN()
    {
        FlowTuple inner = Tcp4 with { Vlan0 = 7 };
        byte[] frame = FrameBuilder.Build(inner, true, 10, 1);
        Assert.True(OuterHeaderParser.TryParse(LinkType.Ethernet, frame, 0x2005, PacketFlags.VlanTciValid, out HalfFlowKey key));
        Assert.Equal(HalfFlowKey.ToServer(Tcp4 with { Vlan0 = 5, Vlan1 = 7 }), key);
    }

    [Fact]
    public void Other_link_types_raw_cooked_and_loopback_are_parsed()
    {
        byte[] ethernet = FrameBuilder.Build(Tcp4, true, 10, 1);
        byte[] ip = ethernet[14..];
        HalfFlowKey expected = HalfFlowKey.ToServer(Tcp4);

        byte[] sll = new byte[16 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(sll.AsSpan(14), 0x0800);
        ip.CopyTo(sll, 16);
        byte[] sll2 = new byte[20 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(sll2, 0x0800);
        ip.CopyTo(sll2, 20);
        byte[] loopback = new byte[4 + ip.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(loopback, 2);
        ip.CopyTo(loopback, 4);

        foreach ((LinkType linkType, byte[] packet) in new[] { (LinkType.Raw, ip), (LinkType.IPv4, ip), (LinkType.LinuxSll, sll), (LinkType.LinuxSll2, sll2), (LinkType.Null, loopback) })
        {
            Assert.True(OuterHeaderParser.TryParse(linkType, packet, 0, PacketFlags.None, out HalfFlowKey key), linkType.ToString());
            Assert.Equal(expected, key);
        }
    }

    [Fact]
    public void Packets_without_ports_or_beyond_three_tags_or_cut_short_are_not_matched()
    {
        byte[] frame = FrameBuilder.Build(Tcp4, true, 10, 1);
        byte[] fragment = frame.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(14 + 6), 0x0010); // fragment offset 128
        Assert.False(OuterHeaderParser.TryParse(LinkType.Ethernet, fragment, 0, PacketFlags.None, out _));
        Assert.False(OuterHeaderParser.TryParse(LinkType.Ethernet, frame.AsSpan(0, 30), 0, PacketFlags.None, out _));
        Assert.False(OuterHeaderParser.TryParse(LinkType.Ethernet, FrameBuilder.Build(FrameBuilder.Flow("10.0.0.1", 0, "10.0.0.2", 0, 1), true, 8, 1), 0, PacketFlags.None, out _));
        byte[] threeTags = FrameBuilder.Build(Tcp4 with { Vlan0 = 1, Vlan1 = 2, Vlan2 = 3 }, true, 10, 1);
        Assert.False(OuterHeaderParser.TryParse(LinkType.Ethernet, threeTags, 0x0009, PacketFlags.VlanTciValid, out _));
    }

    [Fact]
    public void Bypass_drops_both_directions_counts_them_in_the_flow_s_own_direction_and_releases()
    {
        var strategy = new SoftwareBypassStrategy(32768);
        Assert.False(strategy.HasEntries);
        var record = new BypassRecord();

        // Bypass triggered by a server-to-client packet: the tuple is still the flow's own orientation.
        Assert.True(strategy.TryBypass(Tcp4, record).Succeeded);
        Assert.True(strategy.HasEntries);
        Assert.Same(strategy, record.Strategy);
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, false, 100, 1), 10));
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, true, 10, 2), 20));
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, true, 20, 3), 30));
        Assert.False(Drop(strategy, FrameBuilder.Build(Tcp4 with { SourcePort = 5001 }, true, 20, 4), 40));

        Assert.True(strategy.SeenSince(Tcp4, record, 5));
        Assert.Equal((2L, 1L), (record.PacketsToServer, record.PacketsToClient));
        Assert.False(strategy.SeenSince(Tcp4, record, 30));
        BypassStatistics statistics = strategy.GetStatistics();
        Assert.Equal(new BypassFamilyStatistics(1, 0, 1), statistics.IPv4);
        Assert.Equal(3, statistics.Packets);

        strategy.Release(Tcp4, record);
        Assert.True(record.Released);
        Assert.False(strategy.HasEntries);
        Assert.False(Drop(strategy, FrameBuilder.Build(Tcp4, true, 10, 5), 50));
        strategy.Release(Tcp4, record);
        Assert.Equal(new BypassFamilyStatistics(1, 0, 0), strategy.GetStatistics().IPv4);
    }

    [Fact]
    public void An_inner_flow_of_a_tunnel_is_dropped_in_both_tunnel_directions_and_only_it()
    {
        static byte[] InVxlan(string outerSource, string outerDestination, uint vni, byte[] innerIp) =>
            TunnelFrames.Ethernet(TunnelFrames.Ipv4, TunnelFrames.IPv4(outerSource, outerDestination, 17, TunnelFrames.Udp(50000, 4789, TunnelFrames.Vxlan(vni, TunnelFrames.Ethernet(TunnelFrames.Ipv4, innerIp)))));
        byte[] ToServer(ushort port) => TunnelFrames.IPv4("10.9.0.1", "10.9.0.2", 17, TunnelFrames.Udp(41000, port, [1, 2, 3]));
        byte[] ToClient(ushort port) => TunnelFrames.IPv4("10.9.0.2", "10.9.0.1", 17, TunnelFrames.Udp(port, 41000, [4, 5]));

        FlowTuple inner = FrameBuilder.Flow("10.9.0.1", 41000, "10.9.0.2", 5555, 17) with
        {
            TunnelDepth = 1,
            Tunnel = new FlowTunnel(TunnelKind.Vxlan, 42, false, FlowAddress.FromBytes([192, 0, 2, 20]), FlowAddress.FromBytes([192, 0, 2, 10])),
        };
        var strategy = new SoftwareBypassStrategy(32768);
        var record = new BypassRecord();
        Assert.True(strategy.TryBypass(inner, record).Succeeded);

        Assert.True(Drop(strategy, InVxlan("192.0.2.20", "192.0.2.10", 42, ToServer(5555)), 10));
        Assert.True(Drop(strategy, InVxlan("192.0.2.10", "192.0.2.20", 42, ToClient(5555)), 11)); // the tunnel's other direction
        Assert.False(Drop(strategy, InVxlan("192.0.2.20", "192.0.2.10", 42, ToServer(5556)), 12)); // another flow in the tunnel
        Assert.False(Drop(strategy, InVxlan("192.0.2.20", "192.0.2.10", 43, ToServer(5555)), 13)); // the same flow in another VNI
        Assert.False(Drop(strategy, InVxlan("192.0.2.20", "192.0.2.11", 42, ToServer(5555)), 14)); // ... between other endpoints
        Assert.True(strategy.SeenSince(inner, record, 5));
        Assert.Equal((1L, 1L), (record.PacketsToServer, record.PacketsToClient));

        // The tunnel itself, a flow deeper than one tunnel, or one whose tunnel the engine did not name, cannot be matched.
        var other = new BypassRecord();
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(FrameBuilder.Flow("192.0.2.20", 50000, "192.0.2.10", 4789, 17), other).Failure);
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(inner with { TunnelDepth = 2 }, other).Failure);
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(inner with { Tunnel = default }, other).Failure);
        Assert.Equal(BypassFailure.Unsupported, strategy.TryBypass(inner with { Tunnel = inner.Tunnel with { Kind = TunnelKind.Other } }, other).Failure);
        strategy.Release(inner, record);
        Assert.False(strategy.HasEntries);
    }

    [Fact]
    public void SeenSince_answers_by_capture_time_when_the_reader_ran_ahead_of_the_engine()
    {
        // The reader drops packets before the engine's clock reaches them. The engine's manager
        // asks at capture time 15 (after a first answer moved its last-seen there): packets at 20
        // and 30 were dropped before that first answer, and they are still after 15.
        var strategy = new SoftwareBypassStrategy(32768);
        var record = new BypassRecord();
        Assert.True(strategy.TryBypass(Tcp4, record).Succeeded);
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, true, 10, 1), 10));
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, false, 10, 2), 20));
        Assert.True(Drop(strategy, FrameBuilder.Build(Tcp4, true, 10, 3), 30));

        Assert.True(strategy.SeenSince(Tcp4, record, 5));
        Assert.True(strategy.SeenSince(Tcp4, record, 15));
        Assert.False(strategy.SeenSince(Tcp4, record, 30));
        Assert.Equal((2L, 1L), (record.PacketsToServer, record.PacketsToClient));
    }

    [Fact]
    public void Capacity_is_per_family_and_a_failure_leaves_nothing_behind()
    {
        var strategy = new SoftwareBypassStrategy(4);
        Assert.True(strategy.TryBypass(Tcp4, new BypassRecord()).Succeeded);
        Assert.True(strategy.TryBypass(Tcp4 with { SourcePort = 1 }, new BypassRecord()).Succeeded);
        var refused = new BypassRecord();
        BypassOutcome outcome = strategy.TryBypass(Tcp4 with { SourcePort = 2 }, refused);
        Assert.Equal(BypassFailure.TableFull, outcome.Failure);
        Assert.Contains("bypass-table-size", outcome.Detail, StringComparison.Ordinal);
        Assert.Null(refused.StrategyState);
        Assert.False(Drop(strategy, FrameBuilder.Build(Tcp4 with { SourcePort = 2 }, true, 10, 1), 1));
        Assert.True(strategy.TryBypass(FrameBuilder.Flow("2001:db8::1", 1, "2001:db8::2", 2, 17), new BypassRecord()).Succeeded);
        BypassStatistics statistics = strategy.GetStatistics();
        Assert.Equal(new BypassFamilyStatistics(2, 1, 2), statistics.IPv4);
        Assert.Equal(new BypassFamilyStatistics(1, 0, 1), statistics.IPv6);
    }

    [Fact]
    public async Task No_dropped_packet_is_lost_when_flows_are_released_while_the_reader_drops()
    {
        var strategy = new SoftwareBypassStrategy(1 << 16);
        const int Flows = 64;
        FlowTuple[] flows = [.. Enumerable.Range(0, Flows).Select(i => Tcp4 with { SourcePort = (ushort)(10000 + i) })];
        byte[][] frames = [.. flows.Select((f, i) => FrameBuilder.Build(f, i % 2 == 0, 10 + i, i))];
        var records = new BypassRecord[Flows];
        for (int i = 0; i < Flows; i++)
        {
            records[i] = new BypassRecord();
            Assert.True(strategy.TryBypass(flows[i], records[i]).Succeeded);
        }

        long delivered = 0;
        long sent = 0;
        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(() =>
        {
            long ts = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (byte[] frame in frames)
                {
                    Interlocked.Increment(ref sent);
                    if (!Drop(strategy, frame, ++ts))
                    {
                        Interlocked.Increment(ref delivered);
                    }
                }
            }
        });

        // The manager folds and releases while the reader keeps dropping: once the reader has
        // dropped some, and until it has delivered some after the release (no timing assumed).
        await WaitFor(() => strategy.GetStatistics().Packets > 0 || reader.IsCompleted);
        for (int i = 0; i < Flows; i++)
        {
            strategy.SeenSince(flows[i], records[i], 0);
            strategy.Release(flows[i], records[i]);
        }

        await WaitFor(() => Volatile.Read(ref delivered) > 0 || reader.IsCompleted);
        await stop.CancelAsync();
        await reader;

        long folded = records.Sum(r => r.PacketsToServer + r.PacketsToClient);
        Assert.Equal(strategy.GetStatistics().Packets, folded);
        Assert.Equal(sent, folded + delivered);
        Assert.True(delivered > 0 && folded > 0);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the reader made no progress in 30 s");
            await Task.Delay(1);
        }
    }

    private static bool Drop(SoftwareBypassStrategy strategy, byte[] frame, long timestamp) =>
        strategy.TryDrop(LinkType.Ethernet, frame, 0, PacketFlags.None, frame.Length, timestamp, 1);
}
