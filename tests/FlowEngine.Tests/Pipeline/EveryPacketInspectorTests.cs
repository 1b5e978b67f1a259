using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using FlowEngine.Tests.Flows;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Pipeline;

/// <summary>
/// An inspector that counts every packet (inline verdicts) hears of the ones it does not inspect:
/// packets of a bypassed flow, packets without a flow and no decoder event. IP fragments are
/// inspected without a flow, each as a packet of its own, the one that completed a datagram after it.
/// </summary>
public sealed class EveryPacketInspectorTests
{
    private static readonly byte[][] Frames =
    [
        Ethernet(0x0800, IPv4(17, Udp(4000, 53, [1]))), // inspected; the inspector bypasses its flow
        Ethernet(0x0800, IPv4(17, Udp(4000, 53, [2]))), // bypassed
        Ethernet(0x0800, IPv4(17, Udp(53, 4000, [3]), source: V4B, destination: V4A)), // bypassed
        Ethernet(0x0806, new byte[28]), // no IP, no decoder event
        Ethernet(0x0800, IPv4(2, [0x16, 0, 0, 0, 224, 0, 0, 1])), // IGMP: inspected without a flow
        Ethernet(0x0800, IPv4(17, Udp(5000, 6000, new byte[8]), id: 7, flagsAndOffset: 0x2000)), // held for reassembly: inspected without a flow
        Ethernet(0x0800, IPv4(17, new byte[8], id: 7, flagsAndOffset: 2)), // completes it: inspected whole, then as a fragment
    ];

    [Fact]
    public void Every_packet_reaches_one_of_the_inspectors_calls()
    {
        var inspector = new BypassingInspector(countsEveryPacket: true);
        Run(inspector);

        Assert.Equal((2, 2, 3, 1), (inspector.Inspected, inspector.Bypassed, inspector.InspectedWithoutFlow, inspector.PassedWithoutFlow));
        // Every frame reaches one call, and the one that completed the datagram a second, as a fragment.
        Assert.Equal(Frames.Length + 1, inspector.Inspected + inspector.Bypassed + inspector.InspectedWithoutFlow + inspector.PassedWithoutFlow);
        Assert.Equal([(DecodeResult.FragmentHeld, false, 36), (DecodeResult.Ok, true, 28)], inspector.Fragments);
    }

    [Fact]
    public void An_inspector_that_does_not_count_every_packet_hears_only_of_what_it_inspects()
    {
        var inspector = new BypassingInspector(countsEveryPacket: false);
        Run(inspector);

        Assert.Equal((2, 0, 3, 0), (inspector.Inspected, inspector.Bypassed, inspector.InspectedWithoutFlow, inspector.PassedWithoutFlow));
    }

    private static void Run(IPacketInspector inspector)
    {
        byte[] buffer = [.. Frames.SelectMany(f => f)];
        var records = new PacketRecord[Frames.Length];
        int offset = 0;
        for (int i = 0; i < Frames.Length; i++)
        {
            records[i] = new PacketRecord { TimestampNanoseconds = TestFlows.T0 + i, Offset = offset, CaptureLength = Frames[i].Length, OriginalLength = Frames[i].Length, LinkType = LinkType.Ethernet };
            offset += Frames[i].Length;
        }

        new BatchWorker("cap0", new FlowEngineOptions(), new RecordingSink(), inspector: inspector).Process(buffer, records);
    }

    private sealed class BypassingInspector(bool countsEveryPacket) : IPacketInspector
    {
        public int Inspected { get; private set; }

        public int Bypassed { get; private set; }

        public int InspectedWithoutFlow { get; private set; }

        public int PassedWithoutFlow { get; private set; }

        /// <summary>The fragments seen without a flow: the decode result, whether marked as completing a datagram, and the fragment's own IP length.</summary>
        public List<(DecodeResult Result, bool Completed, int IPLength)> Fragments { get; } = [];

        public bool CountsEveryPacket => countsEveryPacket;

        public void Inspect(ref PacketContext context)
        {
            Inspected++;
            if (context.Flow.Tuple.DestinationPort == 53)
            {
                context.RequestBypass();
            }
        }

        void IPacketInspector.Bypassed(ref PacketContext context)
        {
            Assert.True(context.Flow.PacketsToServer + context.Flow.PacketsToClient > 1, "the flow counted the packet first");
            Bypassed++;
        }

        public void InspectWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
        {
            InspectedWithoutFlow++;
            PacketLayer layer = packet.Innermost;
            if ((layer.Flags & PacketLayerFlags.Fragment) != 0)
            {
                Assert.Equal((0, 0), (layer.SourcePort, layer.DestinationPort));
                Fragments.Add((packet.Result, (layer.Flags & PacketLayerFlags.Reassembled) != 0, layer.IPLength));
            }
        }

        void IPacketInspector.PassedWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes) => PassedWithoutFlow++;
    }
}
