using System.Net;
using Capture.Abstractions;
using Capture.Linux.Xdp.Filter;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>
/// Kernel bypass rules in the built filter, run with BPF_PROG_TEST_RUN (no interface): a packet
/// of a flow without entries that matches a rule passes and makes the flow's two entries, marked
/// with the rule's sid; the flow's later packets, either way, are dropped and counted; packets no
/// rule matches pass and make nothing. Also the expansion of rules into filter entries.
/// </summary>
public sealed class XpfKernelRuleTestRunTests
{
    private static readonly byte[] Mac1 = [2, 0xca, 0, 0, 0, 1];
    private static readonly byte[] Mac2 = [2, 0xca, 0, 0, 0, 2];

    [Fact]
    public void The_first_matching_packet_passes_and_makes_both_entries_and_the_rest_of_the_flow_is_dropped()
    {
        using XdpTestRun run = new();
        Assert.Empty(run.Rules.Load([Udp(7001, destinationPort: 5000)], "test-run"));

        FrameSpec toServer = Frame("198.18.1.10", "198.18.2.20", 40000, 5000, 17);
        FrameSpec toClient = Reverse(toServer);
        FlowKeyV4 key = Key(toServer);

        Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(toServer)));
        HalfFlowCounters? made = run.Counters(key);
        Assert.NotNull(made);
        Assert.Equal(new HalfFlowCounters(0, 0, 0, 7001), made.Value);
        Assert.Equal(7001, run.Counters(key.Reverse())!.Value.RuleSid);

        byte[] later = CraftedFrames.Build(toServer);
        byte[] back = CraftedFrames.Build(toClient);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(XdpTestRun.Drop, run.Run(later));
        }

        Assert.Equal(XdpTestRun.Drop, run.Run(back));
        Assert.Equal(5, run.Counters(key)!.Value.Packets);
        Assert.Equal(5L * later.Length, run.Counters(key)!.Value.Bytes);
        Assert.Equal(1, run.Counters(key.Reverse())!.Value.Packets);

        // Another flow to another port: no rule, passed, nothing made.
        FrameSpec other = toServer with { DestinationPort = 5001 };
        Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(other)));
        Assert.Null(run.Counters(Key(other)));

        // The reverse direction's first packet does not match a -> rule (its destination port is the client's).
        FrameSpec reply = Reverse(Frame("198.18.1.11", "198.18.2.20", 40001, 5000, 17));
        Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(reply)));
        Assert.Null(run.Counters(Key(reply)));
    }

    [Fact]
    public void Prefixes_port_ranges_directions_protocols_and_ipv6_are_tested_as_the_rule_says()
    {
        using XdpTestRun run = new();
        IReadOnlyList<HeaderRuleRefusal> refused = run.Rules.Load(
        [
            new HeaderBypassRule
            {
                Sid = 11,
                Protocol = 6,
                Sources = [IPNetwork.Parse("198.18.8.0/24")],
                DestinationPorts = [new PortRange(8000, 8010), new PortRange(9000, 9000)],
            },
            new HeaderBypassRule { Sid = 12, Protocol = 0, Destinations = [IPNetwork.Parse("2001:db8:9::/48")] },
            new HeaderBypassRule { Sid = 13, Protocol = 17, SourcePorts = [new PortRange(53, 53)], Bidirectional = true },
            new HeaderBypassRule { Sid = 14, Protocol = 1 },
        ],
            "test-run");
        Assert.Equal(14, Assert.Single(refused).Sid);

        (FrameSpec Frame, long Sid)[] cases =
        [
            (Frame("198.18.8.7", "203.0.113.1", 1234, 8005, 6), 11),
            (Frame("198.18.8.7", "203.0.113.1", 1234, 9000, 6), 11),
            (Frame("198.18.8.7", "203.0.113.1", 1234, 8011, 6), 0), // port outside the ranges
            (Frame("198.18.9.7", "203.0.113.1", 1234, 8005, 6), 0), // source outside the prefix
            (Frame("198.18.8.7", "203.0.113.1", 1234, 8005, 17), 0), // UDP, the rule is TCP
            (Frame("2001:db8:1::1", "2001:db8:9:5::1", 1234, 80, 6), 12),
            (Frame("2001:db8:1::1", "2001:db8:9:5::1", 1234, 80, 17), 12),
            (Frame("2001:db8:1::1", "2001:db8:8::1", 1234, 80, 17), 0),
            (Frame("198.18.3.1", "198.18.4.1", 53, 4444, 17), 13),
            (Frame("198.18.3.2", "198.18.4.2", 4444, 53, 17), 13), // <>: the ends swapped also match
            (Frame("198.18.3.3", "198.18.4.3", 4444, 54, 17), 0),
        ];
        foreach ((FrameSpec frame, long sid) in cases)
        {
            Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(frame)));
            long? made = frame.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? run.Counters(FlowKeyV6.ToServer(Tuple(frame)))?.RuleSid
                : run.Counters(Key(frame))?.RuleSid;
            Assert.True((made ?? 0) == sid, $"{frame.Source}:{frame.SourcePort} -> {frame.Destination}:{frame.DestinationPort} proto {frame.Protocol}: rule {made}, expected {sid}");
        }
    }

    [Fact]
    public void A_replaced_rule_set_makes_entries_only_for_the_new_rules_and_an_empty_one_for_none()
    {
        using XdpTestRun run = new();
        run.Rules.Load([Udp(1, destinationPort: 6000)], "test-run");
        run.Rules.Load([Udp(2, destinationPort: 6001)], "test-run");
        FrameSpec old = Frame("198.18.1.10", "198.18.2.20", 40000, 6000, 17);
        FrameSpec current = old with { DestinationPort = 6001 };
        run.Run(CraftedFrames.Build(old));
        run.Run(CraftedFrames.Build(current));
        Assert.Null(run.Counters(Key(old)));
        Assert.Equal(2, run.Counters(Key(current))!.Value.RuleSid);

        run.Rules.Load([], "test-run");
        Assert.Equal(0, run.Rules.Entries);
        FrameSpec none = current with { SourcePort = 40001 };
        Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(none)));
        Assert.Null(run.Counters(Key(none)));
    }

    [Fact]
    public void A_vxlan_carrier_is_never_made_an_entry_by_a_rule()
    {
        using XdpTestRun run = new();
        run.Rules.Load([new HeaderBypassRule { Sid = 3, Protocol = 17 }], "test-run");

        // UDP to 4789 that is not VXLAN (no I flag): keyed as an outer flow, but a carrier port.
        FrameSpec carrier = Frame("198.18.1.10", "198.18.2.20", 40000, 4789, 17) with { PayloadLength = 32 };
        Assert.Equal(XdpTestRun.Pass, run.Run(CraftedFrames.Build(carrier, payloadByte: 0)));
        Assert.Null(run.Counters(Key(carrier)));
    }

    [Fact]
    public void Rules_expand_into_one_entry_per_prefix_and_port_range_combination_and_refuse_beyond_the_filter()
    {
        List<KernelRule> entries = [];
        HeaderBypassRule wide = new()
        {
            Sid = 1,
            Protocol = 17,
            Sources = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("2001:db8::/32")],
            Destinations = [IPNetwork.Parse("192.0.2.0/24")],
            DestinationPorts = [new PortRange(1, 2), new PortRange(5, 5)],
        };
        Assert.True(KernelBypassRules.Expand(wide, entries, out _));
        Assert.Equal(2, entries.Count); // the IPv6 source has no IPv4 destination to go with
        Assert.All(entries, e => Assert.Equal(4, e.Family));

        HeaderBypassRule mismatched = new() { Sid = 2, Protocol = 17, Sources = [IPNetwork.Parse("2001:db8::/32")], IpVersion = 4 };
        Assert.False(KernelBypassRules.Expand(mismatched, entries, out string? why));
        Assert.Contains("matches no packet", why, StringComparison.Ordinal);

        HeaderBypassRule many = new()
        {
            Sid = 3,
            Protocol = 6,
            DestinationPorts = [.. Enumerable.Range(1, KernelBypassRules.Capacity).Select(p => new PortRange((ushort)p, (ushort)p))],
        };
        Assert.False(KernelBypassRules.Expand(many, entries, out why));
        Assert.Contains("filter entries", why, StringComparison.Ordinal);
        Assert.Equal(2, entries.Count); // nothing of the refused rule is left
    }

    private static HeaderBypassRule Udp(long sid, ushort destinationPort) =>
        new() { Sid = sid, Protocol = 17, DestinationPorts = [new PortRange(destinationPort, destinationPort)] };

    private static FrameSpec Frame(string source, string destination, ushort sourcePort, ushort destinationPort, byte protocol) => new()
    {
        SourceMac = Mac1,
        DestinationMac = Mac2,
        Source = IPAddress.Parse(source),
        Destination = IPAddress.Parse(destination),
        SourcePort = sourcePort,
        DestinationPort = destinationPort,
        Protocol = protocol,
        PayloadLength = 40,
    };

    private static FrameSpec Reverse(FrameSpec frame) => frame with
    {
        Source = frame.Destination,
        Destination = frame.Source,
        SourcePort = frame.DestinationPort,
        DestinationPort = frame.SourcePort,
    };

    private static FlowTuple Tuple(FrameSpec frame) => new(
        frame.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        FlowAddress.FromBytes(frame.Source.GetAddressBytes()),
        FlowAddress.FromBytes(frame.Destination.GetAddressBytes()),
        frame.SourcePort,
        frame.DestinationPort,
        frame.Protocol,
        0,
        0,
        0,
        0);

    private static FlowKeyV4 Key(FrameSpec frame) => FlowKeyV4.ToServer(Tuple(frame));
}
