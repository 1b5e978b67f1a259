using System.Buffers.Binary;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests.Firewall;

/// <summary>
/// Inline mode gives every packet the capture delivered one verdict, as Suricata counts them
/// (<c>ips.accepted</c> + <c>ips.blocked</c> + <c>ips.rejected</c> = <c>decoder.pkts</c>): packets
/// without a flow and packets of a flow bypassed in user space included. Run as a process.
/// </summary>
public sealed class InlineVerdictCountTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-inline-count-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Every_packet_gets_one_verdict_flowless_bypassed_and_held_fragments_included()
    {
        byte[][] frames =
        [
            // A UDP flow a bypass rule bypasses on its first packet: the next three never reach detection.
            Udp(source: 1, destination: 2, 5000, 53, "abcd"u8), Udp(1, 2, 5000, 53, "efgh"u8), Udp(2, 1, 53, 5000, "ijkl"u8), Udp(1, 2, 5000, 53, "mnop"u8),
            Arp(), // no IP: no flow, no decoder event
            Igmp(), // decodes whole to a layer without a flow
            .. UdpInTwoFragments(), // the first is held for reassembly
            TcpSyn(), // dropped by a rule
        ];
        string pcap = Path.Combine(_work.FullName, "inline.pcap");
        File.WriteAllBytes(pcap, Pcap(frames));
        string rules = Path.Combine(_work.FullName, "inline.rules");
        File.WriteAllText(rules, "alert udp any any -> any 53 (msg:\"bypass\"; bypass; sid:1;)\ndrop tcp any any -> any 80 (msg:\"drop\"; sid:2;)\n");
        string logs = Path.Combine(_work.FullName, "logs");

        HostResult result = DetectHostProcess.Run("-r", pcap, "-S", rules, "-l", logs, "-k", "none", "--simulate-ips");

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement stats = new EveLog(Path.Combine(logs, "eve.json")).LastStats;
        JsonElement ips = stats.GetProperty("ips");
        Assert.Equal(frames.Length, stats.GetProperty("decoder").GetProperty("pkts").GetInt64());
        // The bypassed flow's later packets reached the engine: bypassed in user space, or before the capture's entry bit.
        JsonElement bypassed = stats.GetProperty("flow_bypassed");
        Assert.Equal(3, bypassed.GetProperty("local_pkts").GetInt64() + bypassed.GetProperty("local_capture_pkts").GetInt64());
        Assert.Equal(1, ips.GetProperty("blocked").GetInt64());
        Assert.Equal(1, ips.GetProperty("drop_reason").GetProperty("rules").GetInt64());
        Assert.Equal(0, ips.GetProperty("rejected").GetInt64());
        Assert.Equal(frames.Length - 1, ips.GetProperty("accepted").GetInt64());
    }

    private static byte[] Udp(byte source, byte destination, int sourcePort, int destinationPort, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[14 + 20 + 8 + payload.Length];
        Ethernet(frame, 0x0800);
        Ipv4(frame.AsSpan(14), 17, 20 + 8 + payload.Length, source, destination);
        Ports(frame.AsSpan(34), sourcePort, destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), (ushort)(8 + payload.Length));
        payload.CopyTo(frame.AsSpan(42));
        return frame;
    }

    // One UDP datagram (8-byte header + 16 bytes) to 10.0.0.3:9999 in two fragments of 16 and 8 bytes.
    private static byte[][] UdpInTwoFragments()
    {
        byte[] first = new byte[14 + 20 + 16];
        Ethernet(first, 0x0800);
        Ipv4(first.AsSpan(14), 17, 20 + 16, source: 1, destination: 3);
        Fragment(first.AsSpan(14), offsetUnits: 0, more: true);
        Ports(first.AsSpan(34), 6000, 9999);
        BinaryPrimitives.WriteUInt16BigEndian(first.AsSpan(38), 8 + 16);
        byte[] second = new byte[14 + 20 + 8];
        Ethernet(second, 0x0800);
        Ipv4(second.AsSpan(14), 17, 20 + 8, source: 1, destination: 3);
        Fragment(second.AsSpan(14), offsetUnits: 2, more: false);
        return [first, second];
    }

    private static byte[] Arp()
    {
        byte[] frame = new byte[14 + 28];
        Ethernet(frame, 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800);
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 1); // request
        return frame;
    }

    private static byte[] Igmp()
    {
        byte[] frame = new byte[14 + 20 + 8];
        Ethernet(frame, 0x0800);
        Ipv4(frame.AsSpan(14), 2, 20 + 8, source: 1, destination: 4);
        frame[34] = 0x16; // IGMPv2 membership report
        return frame;
    }

    private static byte[] TcpSyn()
    {
        byte[] frame = new byte[14 + 20 + 20];
        Ethernet(frame, 0x0800);
        Ipv4(frame.AsSpan(14), 6, 40, source: 1, destination: 2);
        Ports(frame.AsSpan(34), 40000, 80);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(38), 0x01020304);
        frame[46] = 0x50;
        frame[47] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(48), 1024);
        return frame;
    }

    private static void Ethernet(Span<byte> frame, ushort etherType)
    {
        frame[..12].Fill(0x02);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    private static void Ipv4(Span<byte> ip, byte protocol, int totalLength, byte source, byte destination)
    {
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[8] = 64;
        ip[9] = protocol;
        ip[12] = 10;
        ip[15] = source;
        ip[16] = 10;
        ip[19] = destination;
    }

    private static void Fragment(Span<byte> ip, int offsetUnits, bool more) =>
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], (ushort)((more ? 0x2000 : 0) | offsetUnits));

    private static void Ports(Span<byte> transport, int source, int destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(transport, (ushort)source);
        BinaryPrimitives.WriteUInt16BigEndian(transport[2..], (ushort)destination);
    }

    private static byte[] Pcap(byte[][] frames)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream))
        {
            for (int i = 0; i < frames.Length; i++)
            {
                writer.Write((1_700_000_000L + i) * 1_000_000, frames[i]);
            }
        }

        return stream.ToArray();
    }
}
