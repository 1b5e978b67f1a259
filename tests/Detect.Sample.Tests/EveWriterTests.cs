using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;
using Detect.Sample.Output;
using FlowEngine.Decode;
using FlowEngine.Flows;
using FlowEngine.Output;
using Samples.Generator;

namespace Detect.Sample.Tests;

public sealed class EveWriterTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("eve-writer-");
    private readonly LogDirectory _logs;
    private readonly string _path;

    public EveWriterTests()
    {
        _logs = LogDirectory.Open(_directory.FullName);
        _path = Path.Combine(_directory.FullName, "eve.json");
    }

    public void Dispose()
    {
        _logs.Dispose();
        _directory.Delete(recursive: true);
    }

    private static FlowEndEvent Flow(FlowTuple tuple, BypassKind bypass) => new()
    {
        FlowId = 1234567,
        Tuple = tuple with { Vlan0 = 100, Vlan1 = 200 },
        VlanCount = 2,
        InterfaceName = "sample.pcap",
        StartNanoseconds = 1_795_262_400_123_456_789,
        EndNanoseconds = 1_795_262_402_999_999_000,
        PacketsToServer = 10,
        PacketsToClient = 20,
        BytesToServer = 1000,
        BytesToClient = 20000,
        BypassedPacketsToServer = 4,
        BypassedPacketsToClient = 15,
        BypassedBytesToServer = 400,
        BypassedBytesToClient = 15000,
        State = bypass == BypassKind.Capture ? FlowState.CaptureBypassed : FlowState.Closed,
        Reason = FlowEndReason.Shutdown,
        Bypass = bypass,
        HasBypassCounters = bypass == BypassKind.Capture,
        TcpFlagsToServer = 0x1b,
        TcpFlagsToClient = 0x12,
        SourceMac = 0x0200c0a80102,
        DestinationMac = 0x02000a000001,
        TunnelParentFlowId = 0,
        Alerted = true,
    };

    [Fact]
    public void Flow_event_has_suricata_fields_and_formats()
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { CommunityId = true, Ethernet = true }))
        {
            writer.WriteFlow(Flow(TestTuples.Make("192.168.1.2", 40000, "10.0.0.1", 443), BypassKind.Capture));
            writer.WriteFlow(Flow(TestTuples.Make("2001:db8::1", 40001, "2001:db8::2", 80), BypassKind.None));
        }

        string[] lines = File.ReadAllLines(_path);
        Assert.Equal(2, lines.Length);
        using JsonDocument first = JsonDocument.Parse(lines[0]);
        JsonElement root = first.RootElement;
        Assert.Equal("2026-11-21T12:00:02.999999+0000", root.GetProperty("timestamp").GetString());
        Assert.Equal("flow", root.GetProperty("event_type").GetString());
        Assert.Equal(1234567, root.GetProperty("flow_id").GetInt64());
        Assert.Equal("192.168.1.2", root.GetProperty("src_ip").GetString());
        Assert.Equal(443, root.GetProperty("dest_port").GetInt32());
        Assert.Equal("TCP", root.GetProperty("proto").GetString());
        Assert.Equal([100, 200], root.GetProperty("vlan").EnumerateArray().Select(v => v.GetInt32()));
        Assert.StartsWith("1:", root.GetProperty("community_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("02:00:c0:a8:01:02", root.GetProperty("ether").GetProperty("src_mac").GetString());
        JsonElement flow = root.GetProperty("flow");
        Assert.Equal(10, flow.GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(15, flow.GetProperty("bypassed").GetProperty("pkts_toclient").GetInt64());
        Assert.Equal("2026-11-21T12:00:00.123456+0000", flow.GetProperty("start").GetString());
        Assert.Equal(2, flow.GetProperty("age").GetInt64());
        Assert.Equal("capture", flow.GetProperty("bypass").GetString());
        Assert.Equal("bypassed", flow.GetProperty("state").GetString());
        Assert.Equal("shutdown", flow.GetProperty("reason").GetString());
        Assert.True(flow.GetProperty("alerted").GetBoolean());
        Assert.Equal("1b", root.GetProperty("tcp").GetProperty("tcp_flags_ts").GetString());

        using JsonDocument second = JsonDocument.Parse(lines[1]);
        Assert.Equal("2001:0db8:0000:0000:0000:0000:0000:0001", second.RootElement.GetProperty("src_ip").GetString());
        Assert.False(second.RootElement.GetProperty("flow").TryGetProperty("bypassed", out _));
        Assert.False(second.RootElement.GetProperty("flow").TryGetProperty("bypass", out _));
        Assert.Equal("closed", second.RootElement.GetProperty("flow").GetProperty("state").GetString());
    }

    [Fact]
    public void Stats_counters_are_nested_by_their_dotted_names()
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions()))
        {
            writer.WriteStats(1_795_262_400_000_000_000, 8, [new("capture.kernel_packets", 5), new("decoder.ipv4", 3), new("decoder.event.ipv4.trunc_pkt", 1), new("flow_bypassed.local_pkts", 2)]);
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllLines(_path).Single());
        JsonElement stats = doc.RootElement.GetProperty("stats");
        Assert.Equal("stats", doc.RootElement.GetProperty("event_type").GetString());
        Assert.Equal(8, stats.GetProperty("uptime").GetInt64());
        Assert.Equal(5, stats.GetProperty("capture").GetProperty("kernel_packets").GetInt64());
        Assert.Equal(3, stats.GetProperty("decoder").GetProperty("ipv4").GetInt64());
        Assert.Equal(1, stats.GetProperty("decoder").GetProperty("event").GetProperty("ipv4").GetProperty("trunc_pkt").GetInt64());
        Assert.Equal(2, stats.GetProperty("flow_bypassed").GetProperty("local_pkts").GetInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Host_counters_are_in_stats_only_when_asked_for(bool hostCounters)
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { HostCounters = hostCounters }))
        {
            writer.WriteStats(1_795_262_400_000_000_000, 8, [new("capture.kernel_packets", 5), new("capture.bypassed_pkts", 4), new("flow_bypassed.xdp.latency_p99_us", 7), new("detect.bypass.rule", 1), new("detect.alert", 2)]);
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllLines(_path).Single());
        JsonElement stats = doc.RootElement.GetProperty("stats");
        Assert.Equal(5, stats.GetProperty("capture").GetProperty("kernel_packets").GetInt64());
        Assert.Equal(2, stats.GetProperty("detect").GetProperty("alert").GetInt64());
        Assert.Equal(hostCounters, stats.GetProperty("capture").TryGetProperty("bypassed_pkts", out _));
        Assert.Equal(hostCounters, stats.TryGetProperty("flow_bypassed", out _));
        Assert.Equal(hostCounters, stats.GetProperty("detect").TryGetProperty("bypass", out _));
    }

    [Theory]
    [InlineData(42u, true)]
    [InlineData(0u, false)]
    public void Anomaly_records_carry_pcap_cnt_before_event_type_only_when_the_packet_was_numbered(uint number, bool written)
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyDecode = true, InIface = false }))
        {
            writer.WriteAnomaly(new AnomalyEvent
            {
                TimestampNanoseconds = 1_795_262_400_123_456_789,
                FlowId = 7,
                Packet = null,
                Event = "decoder.ipv4.trunc_pkt",
                InterfaceName = "eth0",
                LinkType = LinkType.Ethernet,
                Bytes = new byte[20],
                PcapCount = number,
            });
        }

        string line = File.ReadAllLines(_path).Single();
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(written, doc.RootElement.TryGetProperty("pcap_cnt", out JsonElement count));
        if (written)
        {
            Assert.Equal(number, count.GetUInt32());
            // Where Suricata's common header puts it: after flow_id, before event_type.
            Assert.Contains("\"flow_id\":7,\"pcap_cnt\":42,\"event_type\":\"anomaly\"", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(true, "{\"type\":\"stream\",\"event\":\"stream.pkt_invalid_timestamp\"}")]
    [InlineData(false, "{\"app_proto\":\"http\",\"type\":\"applayer\",\"event\":\"APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS\",\"layer\":\"proto_detect\"}")]
    public void Stream_and_applayer_anomaly_records_are_written_as_suricata_writes_them(bool stream, string anomaly)
    {
        AnomalyType type = stream ? AnomalyType.Stream : AnomalyType.Applayer;
        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyStream = true, AnomalyApplayer = true }))
        {
            writer.WriteAnomaly(new AnomalyEvent
            {
                TimestampNanoseconds = 1_795_262_400_123_456_789,
                FlowId = 7,
                Packet = null,
                Event = type == AnomalyType.Stream ? "stream.pkt_invalid_timestamp" : "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS",
                Type = type,
                AppProtocol = type == AnomalyType.Applayer ? "http" : null,
                Layer = type == AnomalyType.Applayer ? "proto_detect" : null,
                InterfaceName = "eth0",
                LinkType = LinkType.Ethernet,
                Bytes = new byte[20],
            });

            // Off by default: a decode event is not written.
            writer.WriteAnomaly(new AnomalyEvent { TimestampNanoseconds = 1, FlowId = 7, Packet = null, Event = "decoder.ipv4.trunc_pkt", InterfaceName = "eth0", LinkType = LinkType.Ethernet, Bytes = new byte[20] });
        }

        string line = File.ReadAllLines(_path).Single();
        Assert.Contains("\"anomaly\":" + anomaly, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_timestamps_carry_the_clocks_microseconds()
    {
        var now = new DateTimeOffset(2026, 12, 7, 5, 17, 30, 123, 456, TimeSpan.Zero);
        using (var writer = new EveWriter(_logs, new EveWriterOptions()))
        {
            writer.WriteStats(EveFormat.UnixNanoseconds(now), 1, []);
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllLines(_path).Single());
        Assert.Equal("2026-12-07T05:17:30.123456+0000", doc.RootElement.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Concurrent_writers_produce_whole_lines()
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions()))
        {
            Parallel.For(0, 8, _ =>
            {
                for (int i = 0; i < 200; i++)
                {
                    writer.WriteFlow(Flow(TestTuples.Make("10.0.0.1", 1000 + i, "10.0.0.2", 80), BypassKind.Local));
                }
            });
        }

        string[] lines = File.ReadAllLines(_path);
        Assert.Equal(1600, lines.Length);
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            Assert.Equal("local", doc.RootElement.GetProperty("flow").GetProperty("bypass").GetString());
        }
    }

    /// <summary>
    /// An IP fragment decoded without reassembly: Suricata decodes no transport header in it, so its
    /// records name the protocol (from the IP header) but have no ports and no ICMP type or code.
    /// </summary>
    [Theory]
    [InlineData(PacketBuilder.Udp, "UDP")]
    [InlineData(PacketBuilder.Icmp, "ICMP")]
    public void A_fragments_records_have_its_protocol_but_no_ports_or_icmp_fields(byte protocol, string proto)
    {
        byte[] transport = protocol == PacketBuilder.Udp ? PacketBuilder.UdpDatagram(5000, 53, new byte[32]) : PacketBuilder.IcmpMessage(8, 0, 0x00010001, new byte[32]);
        byte[] ip = PacketBuilder.IPv4(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), protocol, 7, transport)[..36];
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), 0x2000); // more fragments
        byte[] frame = new Link([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]).Frame(ip, fromClient: true);

        DecodedPacket packet = default;
        var record = new PacketRecord { TimestampNanoseconds = 1, CaptureLength = frame.Length, OriginalLength = frame.Length, LinkType = LinkType.Ethernet };
        _ = new PacketDecoder(new DecoderCounters()).Decode(frame, record, ref packet, out _);
        PacketLayer layer = packet.Innermost;
        Assert.NotEqual(PacketLayerFlags.None, layer.Flags & PacketLayerFlags.Fragment);
        var tuple = new FlowTuple(layer.IsIPv6, layer.Source, layer.Destination, layer.SourcePort, layer.DestinationPort, layer.Protocol, 0, 0, 0, 0);
        EvePacketHeader header = EvePacketHeader.Of(packet, 0, frame);

        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyDecode = true, InIface = false }))
        {
            writer.WriteAlert(FlowlessAlert(tuple, header));
            writer.WriteAnomaly(new AnomalyEvent { TimestampNanoseconds = 1, FlowId = 0, Packet = tuple, Event = "decoder.ipv4.opt_pad_required", InterfaceName = "eth0", LinkType = LinkType.Ethernet, Bytes = frame, Header = header });
        }

        string[] lines = File.ReadAllLines(_path);
        Assert.Equal(["timestamp", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "pkt_src", "alert"], EveKeys.Of(lines[0]));
        Assert.Equal(["timestamp", "event_type", "src_ip", "dest_ip", "proto", "ip_v", "pkt_src", "anomaly"], EveKeys.Of(lines[1]));
        using JsonDocument doc = JsonDocument.Parse(lines[0]);
        Assert.Equal(proto, doc.RootElement.GetProperty("proto").GetString());
    }

    /// <summary>Suricata's anomaly logger writes <c>packethdr</c>'s <c>packet</c> and <c>packet_info</c> after the anomaly object.</summary>
    [Fact]
    public void An_anomalys_packet_header_follows_the_anomaly_object()
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyDecode = true, AnomalyPacketHeader = true, InIface = false }))
        {
            writer.WriteAnomaly(new AnomalyEvent { TimestampNanoseconds = 1, FlowId = 0, Packet = null, Event = "decoder.ipv4.trunc_pkt", InterfaceName = "eth0", LinkType = LinkType.Ethernet, Bytes = new byte[20] });
        }

        Assert.Equal(["timestamp", "event_type", "pkt_src", "anomaly", "packet", "packet_info"], EveKeys.Of(File.ReadAllLines(_path).Single()));
    }

    /// <summary>
    /// <c>packet_info</c> as Suricata's <c>EvePacket</c> writes it: the datalink value Linux gives (raw IP
    /// is DLT_RAW, 12, whatever number the file used) and its name from Suricata's table, <c>n/a</c> for one it does not name.
    /// </summary>
    [Theory]
    [InlineData(LinkType.Ethernet, 1, "EN10MB")]
    [InlineData(LinkType.Raw, 12, "RAW")]
    [InlineData(LinkType.LinuxSll2, 276, "LINUX_SLL2")]
    [InlineData(LinkType.CiscoHdlc, 104, "C_HDLC")]
    [InlineData(LinkType.Loop, 108, "n/a")]
    public void An_anomalys_packet_info_names_its_link_type_as_suricata_does(LinkType linkType, int datalink, string name)
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyDecode = true, AnomalyPacketHeader = true }))
        {
            writer.WriteAnomaly(new AnomalyEvent { TimestampNanoseconds = 1, FlowId = 0, Packet = null, Event = "decoder.ipv4.trunc_pkt", InterfaceName = "eth0", LinkType = linkType, Bytes = new byte[20] });
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllLines(_path).Single());
        JsonElement info = doc.RootElement.GetProperty("packet_info");
        Assert.Equal(datalink, info.GetProperty("linktype").GetInt32());
        Assert.Equal(name, info.GetProperty("linktype_name").GetString());
    }

    /// <summary>Suricata's <c>CreateEveHeader</c>: <c>parent_id</c> after <c>flow_id</c>, then <c>in_iface</c>, on anomaly and drop records as on alerts.</summary>
    [Fact]
    public void Anomaly_and_drop_records_of_a_tunnelled_flow_carry_parent_id_then_in_iface()
    {
        using (var writer = new EveWriter(_logs, new EveWriterOptions { AnomalyDecode = true, Drop = true }))
        {
            writer.WriteAnomaly(new AnomalyEvent { TimestampNanoseconds = 1, FlowId = 7, TunnelParentFlowId = 5, Packet = null, Event = "decoder.ipv4.trunc_pkt", InterfaceName = "eth0", LinkType = LinkType.Ethernet, Bytes = new byte[20], PcapCount = 3 });
            writer.WriteDrop(new DropEvent
            {
                TimestampNanoseconds = 1,
                FlowId = 7,
                TunnelParentFlowId = 5,
                InterfaceName = "eth0",
                PcapCount = 3,
                Packet = null,
                ToServer = true,
                Reason = DropReason.Rules,
                FirstThisWay = true,
                Bytes = new byte[20],
                NetworkOffset = -1,
                TransportOffset = -1,
            });
        }

        string[] lines = File.ReadAllLines(_path);
        Assert.Equal(2, lines.Length);
        foreach (string line in lines)
        {
            Assert.Equal(["timestamp", "flow_id", "parent_id", "in_iface", "pcap_cnt", "event_type"], EveKeys.Of(line)[..6]);
            Assert.Contains("\"flow_id\":7,\"parent_id\":5,\"in_iface\":\"eth0\",\"pcap_cnt\":3,", line, StringComparison.Ordinal);
        }
    }

    private static AlertEvent FlowlessAlert(in FlowTuple tuple, in EvePacketHeader header)
    {
        var empty = new Dictionary<string, string>();
        return new AlertEvent
        {
            TimestampNanoseconds = 1,
            FlowId = 0,
            InterfaceName = string.Empty,
            Packet = tuple,
            Flow = tuple,
            ToServer = true,
            Rule = RuleParser.Parse("alert ip any any -> any any (msg:\"any\"; sid:1;)", empty, empty, "t.rules", 1),
            PacketsToServer = 0,
            PacketsToClient = 0,
            BytesToServer = 0,
            BytesToClient = 0,
            FlowStartNanoseconds = 1,
            TunnelParentFlowId = 0,
            Header = header,
        };
    }
}
