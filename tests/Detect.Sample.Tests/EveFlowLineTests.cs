using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Capture.Abstractions;
using Detect.Sample.Output;
using FlowEngine.Flows;
using FlowEngine.Output;

namespace Detect.Sample.Tests;

/// <summary>
/// The hand-assembled flow line against an independent reference: the same record written with
/// <see cref="Utf8JsonWriter"/>, <see cref="DateTime"/> formatting and <see cref="IPAddress"/>,
/// byte for byte, over random events of every shape.
/// </summary>
public sealed class EveFlowLineTests
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void Random_events_are_written_as_a_json_writer_writes_them()
    {
        EveFlowLine line = new(JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        Random random = new(11);
        for (int i = 0; i < 20_000; i++)
        {
            FlowEndEvent flow = RandomFlow(random);
            bool ethernet = random.Next(2) == 0;
            string? communityId = random.Next(4) == 0 ? "1:" + Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64())) : null;
            bool inIface = random.Next(4) != 0;
            string written = Encoding.UTF8.GetString(line.Format(in flow, communityId is null ? default : Encoding.ASCII.GetBytes(communityId), ethernet, inIface));
            Assert.Equal(Reference(in flow, communityId, ethernet, inIface) + "\n", written);
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(999L)]
    [InlineData(-1L)]
    [InlineData(-1_000_000_001L)]
    [InlineData(1_795_262_399_999_999_999L)]
    [InlineData(1_795_262_400_000_000_000L)]
    [InlineData(1_795_305_599_999_999_000L)]
    [InlineData(1_795_305_600_000_000_000L)]
    [InlineData(951_782_400_000_000_000L)]
    [InlineData(9_223_372_036_854_775_000L)]
    public void Timestamps_across_second_and_day_boundaries_match_the_calendar(long nanoseconds)
    {
        EveFlowLine line = new(JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        FlowEndEvent flow = RandomFlow(new Random(3)) with { StartNanoseconds = nanoseconds - 1_000, EndNanoseconds = nanoseconds };

        // Twice: the second line may come from what the first one cached.
        for (int pass = 0; pass < 2; pass++)
        {
            string written = Encoding.UTF8.GetString(line.Format(in flow, default, false, inIface: true));
            Assert.Equal(Reference(in flow, null, false, inIface: true) + "\n", written);
        }
    }

    private static FlowEndEvent RandomFlow(Random random)
    {
        bool v6 = random.Next(5) == 0;
        byte protocol = random.Next(10) switch
        {
            0 => 17,
            1 => 1,
            2 => (byte)random.Next(256),
            3 => 58,
            4 => 4,
            5 => 41,
            _ => 6,
        };
        int vlans = random.Next(6) == 0 ? random.Next(1, 4) : 0;
        bool bypassCounters = random.Next(3) == 0;

        // Times spread over years, most within a second or a day of each other as flows are.
        long start = (long)(random.NextDouble() * 4_000_000_000L * 1_000_000_000L);
        long end = start + (random.Next(3) switch
        {
            0 => random.NextInt64(1_000_000_000),
            1 => random.NextInt64(86_400L * 1_000_000_000),
            _ => 0,
        });
        return new FlowEndEvent
        {
            FlowId = random.NextInt64() >> random.Next(63),
            Tuple = new FlowTuple(
                v6,
                RandomAddress(random, v6),
                RandomAddress(random, v6),
                (ushort)random.Next(65536),
                (ushort)random.Next(65536),
                protocol,
                (ushort)random.Next(4096),
                (ushort)random.Next(4096),
                (ushort)random.Next(4096),
                (byte)random.Next(3)),
            VlanCount = (byte)vlans,
            InterfaceName = random.Next(2) == 0 ? "eth0" : "tap \"1\"\\é",
            StartNanoseconds = start,
            EndNanoseconds = end,
            PacketsToServer = random.NextInt64(1L << random.Next(40)),
            PacketsToClient = random.NextInt64(1L << random.Next(40)),
            BytesToServer = random.NextInt64(1L << random.Next(50)),
            BytesToClient = random.NextInt64(1L << random.Next(50)),
            BypassedPacketsToServer = bypassCounters ? random.Next(1000) : 0,
            BypassedPacketsToClient = bypassCounters ? random.Next(1000) : 0,
            BypassedBytesToServer = bypassCounters ? random.Next(1_000_000) : 0,
            BypassedBytesToClient = bypassCounters ? random.Next(1_000_000) : 0,
            State = (FlowState)random.Next(5),
            Reason = (FlowEndReason)random.Next(3),
            Bypass = (BypassKind)random.Next(3),
            HasBypassCounters = bypassCounters,
            TcpFlagsToServer = (byte)random.Next(256),
            TcpFlagsToClient = (byte)random.Next(256),
            IcmpTypeToServer = (byte)random.Next(256),
            IcmpCodeToServer = (byte)random.Next(256),
            IcmpTypeToClient = (byte)random.Next(256),
            IcmpCodeToClient = (byte)random.Next(256),
            // Some MACs repeat from one event to the next (a gateway's), as the formatter keeps the last one's text.
            SourceMac = random.Next(4) == 0 ? 0 : (ulong)random.NextInt64(1L << 48),
            DestinationMac = random.Next(2) == 0 ? 0x02_00_00_00_00_02UL : (ulong)random.NextInt64(1L << 48),
            TunnelParentFlowId = random.Next(4) == 0 ? random.NextInt64() : 0,
            Alerted = random.Next(2) == 0,
            AppProtocol = (byte)(random.Next(2) == 0 ? 0 : random.Next(1, 10)),
            Passed = random.Next(4) == 0,
        };
    }

    private static FlowAddress RandomAddress(Random random, bool v6)
    {
        byte[] bytes = new byte[v6 ? 16 : 4];
        random.NextBytes(bytes);
        if (random.Next(3) == 0)
        {
            // Short octets and zero runs as well as long ones.
            bytes[random.Next(bytes.Length)] = 0;
            bytes[random.Next(bytes.Length)] = (byte)random.Next(10);
        }

        return FlowAddress.FromBytes(bytes);
    }

    private static string Reference(in FlowEndEvent flow, string? communityId, bool ethernet, bool inIface)
    {
        FlowTuple tuple = flow.Tuple;
        using MemoryStream stream = new();
        using (Utf8JsonWriter json = new(stream, Relaxed))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", Time(flow.EndNanoseconds));
            json.WriteNumber("flow_id", flow.FlowId);
            if (flow.TunnelParentFlowId != 0)
            {
                json.WriteNumber("parent_id", flow.TunnelParentFlowId);
            }

            if (inIface)
            {
                json.WriteString("in_iface", flow.InterfaceName);
            }

            json.WriteString("event_type", "flow");
            if (flow.VlanCount > 0)
            {
                json.WriteStartArray("vlan");
                ushort[] vlans = [tuple.Vlan0, tuple.Vlan1, tuple.Vlan2];
                for (int i = 0; i < flow.VlanCount; i++)
                {
                    json.WriteNumberValue(vlans[i]);
                }

                json.WriteEndArray();
            }

            bool ports = tuple.Protocol is 6 or 17 or 132;
            json.WriteString("src_ip", Address(tuple.Source, tuple.IsIPv6));
            if (ports)
            {
                json.WriteNumber("src_port", tuple.SourcePort);
            }

            json.WriteString("dest_ip", Address(tuple.Destination, tuple.IsIPv6));
            if (ports)
            {
                json.WriteNumber("dest_port", tuple.DestinationPort);
            }

            // The names themselves are IpProtocolNamesTests'; here the line must write the one the table gives.
            string? protocolName = IpProtocolNames.Utf8(tuple.Protocol) is { Length: > 0 } name ? Encoding.UTF8.GetString(name) : null;
            json.WriteNumber("ip_v", tuple.IsIPv6 ? 6 : 4);
            json.WriteString("proto", protocolName ?? tuple.Protocol.ToString(CultureInfo.InvariantCulture));
            if (flow.AppProtocol != 0)
            {
                json.WriteString("app_proto", Detect.Sample.Detection.AppProtocolDetection.Name((Detect.Sample.Detection.AppProtocol)flow.AppProtocol));
            }

            if (tuple.Protocol is 1 or 58)
            {
                json.WriteNumber("icmp_type", flow.IcmpTypeToServer);
                json.WriteNumber("icmp_code", flow.IcmpCodeToServer);
                if (flow.PacketsToClient - flow.BypassedPacketsToClient > 0)
                {
                    json.WriteNumber("response_icmp_type", flow.IcmpTypeToClient);
                    json.WriteNumber("response_icmp_code", flow.IcmpCodeToClient);
                }
            }
            if (communityId is not null)
            {
                json.WriteString("community_id", communityId);
            }

            if (ethernet && (flow.SourceMac | flow.DestinationMac) != 0)
            {
                json.WriteStartObject("ether");
                json.WriteString("src_mac", Mac(flow.SourceMac));
                json.WriteString("dest_mac", Mac(flow.DestinationMac));
                json.WriteEndObject();
            }

            json.WriteStartObject("flow");
            json.WriteNumber("pkts_toserver", flow.PacketsToServer);
            json.WriteNumber("pkts_toclient", flow.PacketsToClient);
            json.WriteNumber("bytes_toserver", flow.BytesToServer);
            json.WriteNumber("bytes_toclient", flow.BytesToClient);
            if (flow.HasBypassCounters)
            {
                json.WriteStartObject("bypassed");
                json.WriteNumber("pkts_toserver", flow.BypassedPacketsToServer);
                json.WriteNumber("pkts_toclient", flow.BypassedPacketsToClient);
                json.WriteNumber("bytes_toserver", flow.BypassedBytesToServer);
                json.WriteNumber("bytes_toclient", flow.BypassedBytesToClient);
                json.WriteEndObject();
            }

            json.WriteString("start", Time(flow.StartNanoseconds));
            json.WriteString("end", Time(flow.EndNanoseconds));
            json.WriteNumber("age", Math.Max(0, (flow.EndNanoseconds / 1_000_000_000) - (flow.StartNanoseconds / 1_000_000_000)));
            if (flow.Bypass != BypassKind.None)
            {
                json.WriteString("bypass", flow.Bypass == BypassKind.Local ? "local" : "capture");
            }

            json.WriteString("state", flow.State switch
            {
                FlowState.New => "new",
                FlowState.Established => "established",
                FlowState.Closed => "closed",
                _ => "bypassed",
            });
            json.WriteString("reason", flow.Reason switch
            {
                FlowEndReason.Timeout => "timeout",
                FlowEndReason.Forced => "forced",
                _ => "shutdown",
            });
            if (flow.Passed)
            {
                json.WriteString("action", "pass");
            }

            json.WriteBoolean("alerted", flow.Alerted);
            json.WriteEndObject();
            if (tuple.Protocol == 6)
            {
                byte all = (byte)(flow.TcpFlagsToServer | flow.TcpFlagsToClient);
                json.WriteStartObject("tcp");
                json.WriteString("tcp_flags", all.ToString("x2", CultureInfo.InvariantCulture));
                json.WriteString("tcp_flags_ts", flow.TcpFlagsToServer.ToString("x2", CultureInfo.InvariantCulture));
                json.WriteString("tcp_flags_tc", flow.TcpFlagsToClient.ToString("x2", CultureInfo.InvariantCulture));
                string[] names = ["fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr"];
                for (int bit = 0; bit < 8; bit++)
                {
                    if ((all & (1 << bit)) != 0)
                    {
                        json.WriteBoolean(names[bit], true);
                    }
                }

                bool anyFin = (all & 0x01) != 0;
                string? state = flow.State switch
                {
                    FlowState.Closed => "closed",
                    FlowState.Established when !anyFin => "established",
                    FlowState.New when (flow.TcpFlagsToServer & 0x02) != 0 && (flow.TcpFlagsToClient & 0x12) == 0x12 => "syn_recv",
                    FlowState.New when (flow.TcpFlagsToServer & 0x02) != 0 && flow.TcpFlagsToClient == 0 => "syn_sent",
                    _ => null,
                };
                if (state is not null)
                {
                    json.WriteString("state", state);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>IPv4 as .NET writes it; IPv6 as Suricata does: eight groups of four hex digits, no zeros left out.</summary>
    private static string Address(FlowAddress address, bool isIPv6)
    {
        byte[] bytes = address.ToIPAddress(isIPv6).GetAddressBytes();
        return isIPv6
            ? string.Join(':', Enumerable.Range(0, 8).Select(i => string.Create(CultureInfo.InvariantCulture, $"{bytes[2 * i]:x2}{bytes[(2 * i) + 1]:x2}")))
            : new IPAddress(bytes).ToString();
    }

    private static string Time(long nanoseconds) =>
        DateTime.UnixEpoch.AddTicks(nanoseconds / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+0000";

    private static string Mac(ulong mac) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(mac >> (8 * (5 - i)))).ToString("x2", CultureInfo.InvariantCulture)));
}
