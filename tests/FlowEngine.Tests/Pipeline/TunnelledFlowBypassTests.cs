using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Tests.Flows;
using Microsoft.Extensions.Logging.Abstractions;
using static Capture.Tests.Kernel.TunnelFrames;

namespace FlowEngine.Tests.Pipeline;

/// <summary>
/// A bypass asked through <see cref="FlowView.RequestBypass"/> (the plugins' and detection's seam)
/// for a flow inside a tunnel: the capture gets the tunnel the inspected packet came in, so a
/// capture that keys inner flows with their tunnel (VXLAN here) takes the flow over; one it cannot
/// match (IP-in-IP) leaves it bypassed locally and counted as such. Either way every packet is
/// accounted for once.
/// </summary>
public sealed class TunnelledFlowBypassTests
{
    private const long Ms = 1_000_000;
    private const int Inspected = 2;
    private const uint Vni = 4242;
    private const int VxlanPackets = 12;
    private const int IpInIpPackets = 10;

    [Fact]
    public async Task A_flow_inside_a_tunnel_bypassed_through_its_flow_view_is_taken_by_a_capture_that_keys_its_tunnel_and_kept_locally_by_one_that_cannot()
    {
        InMemoryBypassStrategy strategy = new();
        MemoryCaptureSource source = new("tun0", CaptureCapabilities.Offline | CaptureCapabilities.Bypass, strategy, batchSize: 1);
        FlowTunnel vxlan = new(TunnelKind.Vxlan, Vni, false, TestFlows.Address("192.0.2.20"), TestFlows.Address("192.0.2.10"));
        FlowTuple innerVxlan = new(false, TestFlows.Address("10.77.0.1"), TestFlows.Address("10.77.0.2"), 41000, 5555, 17, 0, 0, 0, 1) { Tunnel = vxlan };
        FlowTuple innerIpInIp = new(false, TestFlows.Address("10.66.0.1"), TestFlows.Address("10.66.0.2"), 42000, 6666, 17, 0, 0, 0, 1);

        List<TestFrame> frames = [];
        long t = TestFlows.T0;
        for (int i = 0; i < Math.Max(VxlanPackets, IpInIpPackets); i++)
        {
            if (i < VxlanPackets)
            {
                byte[] inner = Ethernet(Ipv4, IPv4("10.77.0.1", "10.77.0.2", 17, Udp(41000, 5555, new byte[20 + i])));
                frames.Add(new TestFrame(t += Ms, Ethernet(Ipv4, IPv4("192.0.2.20", "192.0.2.10", 17, Udp(50000, 4789, Vxlan(Vni, inner)))), innerVxlan));
            }

            if (i < IpInIpPackets)
            {
                byte[] inner = IPv4("10.66.0.1", "10.66.0.2", 17, Udp(42000, 6666, new byte[30 + i]));
                frames.Add(new TestFrame(t += Ms, Ethernet(Ipv4, IPv4("192.0.2.30", "192.0.2.40", 4, inner)), innerIpInIp));
            }
        }

        source.Add(frames);
        source.Complete();
        RecordingSink sink = new();
        BypassThroughFlowView inspector = new([5555, 6666], Inspected);
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, _ => inspector, NullLoggerFactory.Instance);
        await engine.RunAsync([source], CancellationToken.None);

        EngineStatistics stats = engine.GetStatistics();
        Assert.Equal(2, stats.Get("flow_bypassed.requests"));
        Assert.Equal(1, stats.Get("flow_bypassed.capture_success"));
        Assert.Equal(1, stats.Get("flow_bypassed.capture_unsupported"));
        Assert.Equal(0, stats.Get("flow_bypassed.capture_failure"));

        // VXLAN: the capture keyed the inner flow with its tunnel and dropped what came after.
        FlowEndEvent overVxlan = sink.Events.Single(e => e.Tuple.DestinationPort == 5555);
        Assert.Equal(BypassKind.Capture, overVxlan.Bypass);
        Assert.Equal(1, overVxlan.Tuple.TunnelDepth);
        Assert.Equal(VxlanPackets, overVxlan.PacketsToServer);
        Assert.Equal(VxlanPackets - Inspected, stats.Get("flow_bypassed.pkts") + stats.Get("flow_bypassed.local_capture_pkts"));
        Assert.Equal(stats.Get("flow_bypassed.pkts"), overVxlan.BypassedPacketsToServer);
        Assert.Equal(1, strategy.TotalReleases);
        Assert.Equal(0, strategy.Entries);

        // IP-in-IP: no capture keys it; the engine drops the rest before detection and counts it.
        FlowEndEvent overIpInIp = sink.Events.Single(e => e.Tuple.DestinationPort == 6666);
        Assert.Equal(BypassKind.Local, overIpInIp.Bypass);
        Assert.Equal(IpInIpPackets, overIpInIp.PacketsToServer);
        Assert.Equal(0, overIpInIp.BypassedPacketsToServer);
        Assert.Equal(IpInIpPackets - Inspected, stats.Get("flow_bypassed.local_pkts"));

        Assert.Equal(Inspected, inspector.Inspected(5555));
        Assert.Equal(Inspected, inspector.Inspected(6666));
        Assert.Equal(source.Produced, source.Released);
    }

    /// <summary>Bypasses, through the flow's view, flows to the given ports after a number of inspected packets.</summary>
    private sealed class BypassThroughFlowView(ushort[] ports, int packets) : IPacketInspector
    {
        private readonly Dictionary<ushort, int> _seen = [];

        public int Inspected(ushort port) => _seen.GetValueOrDefault(port);

        public void Inspect(ref PacketContext context)
        {
            FlowView flow = context.Flow;
            ushort port = flow.Tuple.DestinationPort;
            _seen[port] = _seen.GetValueOrDefault(port) + 1;
            if (Array.IndexOf(ports, port) >= 0 && flow.PacketsToServer >= packets)
            {
                flow.RequestBypass();
            }
        }
    }
}
