using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Flows;

namespace FlowEngine.Tests.Flows;

/// <summary>The named timeout table the manager reads: by class, state and emergency mode.</summary>
public class FlowStateTimeoutsTests
{
    private const long Second = 1_000_000_000;

    [Theory]
    [InlineData(IpProtocol.Tcp, (byte)FlowTimeoutClass.Tcp)]
    [InlineData(IpProtocol.Udp, (byte)FlowTimeoutClass.Udp)]
    [InlineData(IpProtocol.Icmp, (byte)FlowTimeoutClass.Icmp)]
    [InlineData(IpProtocol.Icmpv6, (byte)FlowTimeoutClass.Icmp)]
    [InlineData(IpProtocol.Sctp, (byte)FlowTimeoutClass.Default)]
    [InlineData(IpProtocol.Gre, (byte)FlowTimeoutClass.Default)]
    public void A_flow_takes_the_row_of_its_protocol(byte protocol, byte expected) =>
        Assert.Equal((FlowTimeoutClass)expected, FlowStateTimeouts.ClassOf(protocol));

    [Fact]
    public void Each_state_reads_its_own_value_and_both_bypassed_states_the_bypassed_one()
    {
        FlowTimeoutTable table = new() { Udp = new FlowTimeouts(11, 12, 13, 14, 5, 6, 7, 8) };
        FlowStateTimeouts timeouts = new(table);

        Assert.Equal(11 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.New, emergency: false));
        Assert.Equal(12 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.Established, emergency: false));
        Assert.Equal(13 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.Closed, emergency: false));
        Assert.Equal(14 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.LocalBypassed, emergency: false));
        Assert.Equal(14 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.CaptureBypassed, emergency: false));
        Assert.Equal(5 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.New, emergency: true));
        Assert.Equal(6 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.Established, emergency: true));
        Assert.Equal(8 * Second, timeouts.For(FlowTimeoutClass.Udp, FlowState.CaptureBypassed, emergency: true));

        // The other rows keep their defaults.
        Assert.Equal(300 * Second, timeouts.For(FlowTimeoutClass.Tcp, FlowState.Established, emergency: false));
    }

    [Fact]
    public void An_emergency_value_above_the_normal_one_becomes_a_tenth_of_it_and_negatives_become_zero()
    {
        FlowTimeoutTable table = new() { Icmp = new FlowTimeouts(40, 300, -1, 100, 90, 100, 0, 50) };
        FlowStateTimeouts timeouts = new(table);

        Assert.Equal(4 * Second, timeouts.For(FlowTimeoutClass.Icmp, FlowState.New, emergency: true));
        Assert.Equal(100 * Second, timeouts.For(FlowTimeoutClass.Icmp, FlowState.Established, emergency: true));
        Assert.Equal(0, timeouts.For(FlowTimeoutClass.Icmp, FlowState.Closed, emergency: false));
    }

    [Fact]
    public void The_shortest_reachable_timeout_counts_closed_only_for_tcp()
    {
        // Only TCP flows close: the default row's closed timeout of 0 cannot be reached.
        FlowTimeoutTable table = new()
        {
            Default = new FlowTimeouts(30, 300, 0, 100, 10, 100, 0, 50),
            Tcp = new FlowTimeouts(30, 300, 20, 100, 10, 100, 5, 50),
            Udp = new FlowTimeouts(25, 300, 0, 100, 10, 100, 0, 50),
            Icmp = new FlowTimeouts(30, 300, 0, 100, 10, 100, 0, 50),
        };
        Assert.Equal(20 * Second, new FlowStateTimeouts(table).ShortestReachable);

        table.Tcp = new FlowTimeouts(30, 300, 40, 100, 10, 100, 5, 50);
        Assert.Equal(25 * Second, new FlowStateTimeouts(table).ShortestReachable);
    }
}
