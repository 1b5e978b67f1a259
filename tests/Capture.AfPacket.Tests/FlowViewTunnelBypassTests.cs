using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Capture.Abstractions;
using Capture.Tests.Kernel;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using static Capture.Tests.Kernel.TunnelFrames;

namespace Capture.AfPacket.Tests;

/// <summary>
/// The engine in process over the af-packet plugin's sources with XDP bypass: an inspector (as a
/// plugin would) bypasses a flow inside VXLAN through <see cref="FlowView.RequestBypass"/>. The
/// filter keys it with its tunnel and drops the rest of it in both tunnel directions; the flow's
/// record holds every packet sent and its bypassed counters what XDP dropped, while another inner
/// flow of the same tunnel reaches the engine whole.
/// </summary>
public sealed class FlowViewTunnelBypassTests(FlowViewTunnelBypassNet net) : IClassFixture<FlowViewTunnelBypassNet>
{
    private const uint Vni = 5151;
    private const ushort BypassedPort = 5555;
    private const ushort OtherPort = 5556;
    private const int ToServer = 12;
    private const int ToClient = 5;
    private const int Other = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_flow_inside_vxlan_bypassed_through_its_flow_view_is_dropped_in_xdp_and_accounted_exactly()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("bypass", "yes"), ("xdp-mode", "driver")));
        EventSink sink = new();
        BypassThroughFlowView inspector = new(BypassedPort);
        CaptureEngine engine = new(new FlowEngineOptions(), new FlowStorageRegistry(), sink, _ => inspector, NullLoggerFactory.Instance);
        using CancellationTokenSource stop = new();
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task run = engine.RunAsync(sources, stop.Token, () => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(Patience);
            Assert.True(XdpLinkState.Read(net.HostInterface).Attached, "no XDP program on the interface with bypass: yes");
            NetnsFrameSender sender = net.CreateSender();

            // The first packet makes the inspector ask; the rest come once the capture took the flow.
            sender.Send([Forth(Inner("10.79.0.1", "10.79.0.2", 41000, BypassedPort, 0))]);
            await WaitUntil(() => engine.GetStatistics().Get("flow_bypassed.capture_success") == 1, "the capture bypass of the inner flow");

            List<byte[]> rest = [];
            rest.AddRange(Enumerable.Range(1, ToServer - 1).Select(i => Forth(Inner("10.79.0.1", "10.79.0.2", 41000, BypassedPort, i))));
            rest.AddRange(Enumerable.Range(0, ToClient).Select(i => Back(Inner("10.79.0.2", "10.79.0.1", BypassedPort, 41000, 40 + i))));
            rest.AddRange(Enumerable.Range(0, Other).Select(i => Forth(Inner("10.79.0.1", "10.79.0.2", 41001, OtherPort, i))));
            sender.Send(rest);

            // One veth queue keeps the order: when the last frame of the other flow is inspected, the rest went before it.
            await WaitUntil(() => inspector.Inspected(OtherPort) == Other, "the other inner flow's packets");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }

        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the XDP program stayed on the interface");
        FlowEndEvent bypassed = sink.Single(BypassedPort);
        Assert.Equal(BypassKind.Capture, bypassed.Bypass);
        Assert.Equal(1, bypassed.Tuple.TunnelDepth);
        Assert.Equal(ToServer, bypassed.PacketsToServer);
        Assert.Equal(ToClient, bypassed.PacketsToClient);
        Assert.Equal(ToServer - 1, bypassed.BypassedPacketsToServer);
        Assert.Equal(ToClient, bypassed.BypassedPacketsToClient);
        Assert.Equal(1, inspector.Inspected(BypassedPort));

        FlowEndEvent other = sink.Single(OtherPort);
        Assert.Equal(BypassKind.None, other.Bypass);
        Assert.Equal(Other, other.PacketsToServer);

        EngineStatistics stats = engine.GetStatistics();
        Assert.Equal(1, stats.Get("flow_bypassed.requests"));
        Assert.Equal(0, stats.Get("flow_bypassed.capture_unsupported") + stats.Get("flow_bypassed.capture_failure"));
        Assert.Equal(ToServer - 1 + ToClient, stats.Get("flow_bypassed.pkts"));
        Assert.Equal(0, stats.Get("flow_bypassed.local_capture_pkts"));
    }

    private static byte[] Inner(string source, string destination, ushort sourcePort, ushort destinationPort, int index) =>
        Ethernet([0x02, 0x79, 0, 0, 0, 2], [0x02, 0x79, 0, 0, 0, 1], Ipv4, IPv4(source, destination, 17, Udp(sourcePort, destinationPort, new byte[16 + index])));

    // VXLAN from the namespace end to the host end, and back (outer addresses swapped, same VNI).
    private byte[] Forth(byte[] inner) => Outer(net.PeerIPv4, net.HostIPv4, 50000, inner);

    private byte[] Back(byte[] inner) => Outer(net.HostIPv4, net.PeerIPv4, 50001, inner);

    private byte[] Outer(IPAddress source, IPAddress destination, ushort sourcePort, byte[] inner) =>
        Ethernet(net.HostMac, net.PeerMac, Ipv4, IPv4(source.ToString(), destination.ToString(), 17, Udp(sourcePort, 4789, Vxlan(Vni, inner))));

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, $"waited {Patience} for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Bypasses, through the flow's view as a plugin does, the inner flows to a port at their first packet.</summary>
    private sealed class BypassThroughFlowView(ushort port) : IPacketInspector
    {
        private readonly ConcurrentDictionary<ushort, int> _seen = new();

        public int Inspected(ushort serverPort) => _seen.GetValueOrDefault(serverPort);

        public void Inspect(ref PacketContext context)
        {
            FlowView flow = context.Flow;
            ushort serverPort = flow.Tuple.DestinationPort;
            _seen.AddOrUpdate(serverPort, 1, (_, n) => n + 1);
            if (serverPort == port && flow.Tuple.TunnelDepth == 1)
            {
                flow.RequestBypass();
            }
        }
    }

    /// <summary>Keeps the flow-end events.</summary>
    private sealed class EventSink : IFlowEventSink
    {
        private readonly ConcurrentQueue<FlowEndEvent> _events = new();

        public FlowEndEvent Single(ushort serverPort) => Assert.Single(_events, e => e.Tuple.DestinationPort == serverPort);

        public void OnFlowEnd(in FlowEndEvent flowEnd) => _events.Enqueue(flowEnd);
    }
}
