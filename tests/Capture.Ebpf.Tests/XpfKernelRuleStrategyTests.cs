using Capture.Abstractions;
using Capture.Linux.Xdp.Maps;
using Capture.Tests.Kernel;

namespace Capture.Ebpf.Tests;

/// <summary>
/// Kernel bypass rules on an attached filter with real traffic through a veth: the first packet
/// of a matching flow reaches the interface and the rest, both ways, are dropped; the strategy's
/// TryBypass adopts the filter's entries with every packet they counted (nothing reset); entries
/// nobody adopts are orphans the sweeper expires once they stop moving; a flow no rule matches
/// passes whole; nothing stays attached.
/// </summary>
public sealed class XpfKernelRuleStrategyTests(XpfKernelRuleNet net) : IClassFixture<XpfKernelRuleNet>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData(XdpMode.Driver, true)]
    [InlineData(XdpMode.Soft, false)]
    public void The_filter_bypasses_a_matching_flow_at_its_first_packet_and_the_strategy_adopts_its_counts(XdpMode mode, bool perCpu)
    {
        using XdpBypassFilter filter = XdpBypassFilter.Start(new XdpBypassOptions { Interface = net.HostInterface, Mode = mode, PerCpuMaps = perCpu });
        EbpfBypassStrategy strategy = filter.Strategy;
        IReadOnlyList<HeaderRuleRefusal> refused = strategy.LoadHeaderRules(
        [
            new HeaderBypassRule { Sid = 41, Protocol = 17, DestinationPorts = [new PortRange(5000, 5000)] },
            new HeaderBypassRule { Sid = 42, Protocol = 6, DestinationPorts = [new PortRange(443, 443)] },
            new HeaderBypassRule { Sid = 43, Protocol = 58 },
        ]);
        Assert.Equal(43, Assert.Single(refused).Sid);

        TestFlow adopted = TestFlow.Create(net, false, 17, 40001, 5000);
        TestFlow orphan = TestFlow.Create(net, true, 6, 40002, 443);
        TestFlow passing = TestFlow.Create(net, false, 17, 40003, 5001);
        const int ToServer = 12;
        const int ToClient = 5;
        List<byte[]> frames = [];
        for (int i = 0; i < ToServer; i++)
        {
            foreach (TestFlow flow in new[] { adopted, orphan, passing })
            {
                frames.Add(flow.ToServerFrame);
                if (i < ToClient)
                {
                    frames.Add(flow.ToClientFrame);
                }
            }
        }

        using (RawFrameReceiver receiver = new(net.HostInterface))
        {
            net.CreateSender().Send(frames);
            Dictionary<(byte, ushort, ushort), int> arrived = receiver.CountByPorts(Quiet);
            Assert.Equal(1, arrived.GetValueOrDefault(adopted.ToServerPorts));
            Assert.Equal(0, arrived.GetValueOrDefault(adopted.ToClientPorts));
            Assert.Equal(1, arrived.GetValueOrDefault(orphan.ToServerPorts));
            Assert.Equal(0, arrived.GetValueOrDefault(orphan.ToClientPorts));
            Assert.Equal(ToServer, arrived.GetValueOrDefault(passing.ToServerPorts));
            Assert.Equal(ToClient, arrived.GetValueOrDefault(passing.ToClientPorts));
        }

        // The engine's bypass of the flow, after its first packet: the filter's entries, adopted
        // with what they dropped since.
        BypassRecord record = new();
        Assert.True(strategy.TryBypass(adopted.Tuple, record).Succeeded);
        Assert.True(strategy.SeenSince(adopted.Tuple, record, 0));
        Assert.Equal(ToServer - 1, record.PacketsToServer);
        Assert.Equal(ToClient, record.PacketsToClient);
        Assert.Equal((ToServer - 1) * adopted.ToServerFrame.Length, record.BytesToServer);
        Assert.Equal(ToClient * adopted.ToClientFrame.Length, record.BytesToClient);
        Assert.Equal(ToServer - 1 + ToClient, strategy.GetStatistics().Packets);
        Assert.Equal(1, strategy.GetStatistics().IPv4.Success);

        // Never adopted (as when the first packet never reached the engine): an orphan, expired
        // once its counters stop; the adopted flow's entries stay.
        using (BypassMapSweeper sweeper = filter.CreateSweeper(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(new SweepResult(4, 2, 0, true), sweeper.SweepOnce());
            Assert.Equal(new SweepResult(4, 2, 2, true), sweeper.SweepOnce());
        }

        FlowKeyV6 orphanKey = FlowKeyV6.ToServer(orphan.Tuple);
        Assert.Equal(-Capture.Linux.Xdp.Interop.Libc.ENOENT, filter.MapV6.Lookup(ref orphanKey, out _));

        // The orphan's flow, now without entries, is made again by its next packet, which passes.
        using (RawFrameReceiver again = new(net.HostInterface))
        {
            net.CreateSender().Send([orphan.ToServerFrame, orphan.ToServerFrame, adopted.ToServerFrame]);
            Dictionary<(byte, ushort, ushort), int> arrived = again.CountByPorts(Quiet);
            Assert.Equal(1, arrived.GetValueOrDefault(orphan.ToServerPorts));
            Assert.Equal(0, arrived.GetValueOrDefault(adopted.ToServerPorts));
        }

        Assert.True(strategy.SeenSince(adopted.Tuple, record, 0));
        Assert.Equal(ToServer, record.PacketsToServer);
        strategy.Release(adopted.Tuple, record);
        Assert.Equal(0, strategy.GetStatistics().IPv4.EntriesOffloaded);

        filter.Stop();
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached);
    }
}
