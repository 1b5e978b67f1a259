using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Pipeline;
using FlowEngine.Tests.Flows;
using static FlowEngine.Tests.Decode.TestPackets;

namespace FlowEngine.Tests.Stream;

/// <summary>Packets Suricata keeps no flow for (IGMP: its decoder sets none up) are inspected without one.</summary>
public class FlowlessPacketTests
{
    [Fact]
    public void An_igmp_packet_starts_no_flow_and_detection_sees_it_without_one()
    {
        byte[] igmp = Ethernet(0x0800, IPv4(2, [0x16, 0, 0, 0, 224, 0, 0, 1]));
        byte[] udp = Ethernet(0x0800, IPv4(17, Udp(4000, 53, [1, 2, 3, 4])));
        byte[] buffer = [.. igmp, .. udp];
        PacketRecord[] records =
        [
            new PacketRecord { TimestampNanoseconds = TestFlows.T0, Offset = 0, CaptureLength = igmp.Length, OriginalLength = igmp.Length, LinkType = LinkType.Ethernet },
            new PacketRecord { TimestampNanoseconds = TestFlows.T0 + 1, Offset = igmp.Length, CaptureLength = udp.Length, OriginalLength = udp.Length, LinkType = LinkType.Ethernet },
        ];
        var inspector = new CountingInspector();
        var worker = new BatchWorker("cap0", new FlowEngineOptions(), new RecordingSink(), inspector: inspector);
        worker.Process(buffer, records);
        Assert.Equal(1, worker.FlowsCreated);
        Assert.Equal(1, inspector.WithFlow);
        Assert.Equal(1, inspector.WithoutFlow);
        Assert.Equal(IpProtocol.Igmp, inspector.LastWithoutFlowProtocol);
    }

    private sealed class CountingInspector : IPacketInspector
    {
        public int WithFlow { get; private set; }

        public int WithoutFlow { get; private set; }

        public byte LastWithoutFlowProtocol { get; private set; }

        public void Inspect(ref PacketContext context) => WithFlow++;

        public void InspectWithoutFlow(in DecodedPacket packet, ReadOnlySpan<byte> bytes)
        {
            WithoutFlow++;
            LastWithoutFlowProtocol = packet.Innermost.Protocol;
        }
    }
}
