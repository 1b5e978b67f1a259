using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;
using static Detect.Sample.Tests.Firewall.InlineCapture;

namespace Detect.Sample.Tests.Firewall;

/// <summary>
/// Inline mode gives every packet the capture delivered one verdict, as Suricata counts them
/// (<c>ips.accepted</c> + <c>ips.blocked</c> + <c>ips.rejected</c> = <c>decoder.pkts</c>): packets
/// without a flow and packets of a flow bypassed in user space included. Run as a process.
/// </summary>
public sealed class InlineVerdictCountTests : IDisposable
{
    private static readonly IPAddress Server = IPAddress.Parse("10.0.0.2");

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-inline-count-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Every_packet_gets_one_verdict_flowless_bypassed_and_held_fragments_included()
    {
        byte[] datagram = PacketBuilder.IPv4(Client, IPAddress.Parse("10.0.0.3"), PacketBuilder.Udp, 7, PacketBuilder.UdpDatagram(6000, 9999, new byte[16]));
        byte[][] frames =
        [
            // A UDP flow a bypass rule bypasses on its first packet: the next three never reach detection.
            Udp(true, "abcd"u8), Udp(true, "efgh"u8), Udp(false, "ijkl"u8), Udp(true, "mnop"u8),
            InlineCapture.Arp(), // no IP: no flow, no decoder event
            InlineCapture.Igmp(), // IGMP: no flow
            Wire.Frame(Fragment(datagram, 0, 16, more: true), fromClient: true), // held for reassembly
            Wire.Frame(Fragment(datagram, 16, 8, more: false), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(Client, Server, PacketBuilder.Tcp, 9, PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, [])), fromClient: true), // dropped by a rule
        ];
        string pcap = Path.Combine(_work.FullName, "inline.pcap");
        InlineCapture.Write(pcap, frames);

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

    /// <summary>
    /// As Suricata: the fragment that completes a datagram is the reassembled packet's root (defrag.c
    /// DefragInsertFrag, PacketDefragPktSetupParent), so a drop of the datagram drops it (packet.c PacketDrop
    /// sets the root's action); the fragments before it went on as packets of their own and pass.
    /// </summary>
    [Fact]
    public void A_dropped_datagram_drops_the_fragment_that_completed_it_and_the_held_ones_pass()
    {
        byte[] datagram = PacketBuilder.IPv4(Client, IPAddress.Parse("10.0.0.3"), PacketBuilder.Udp, 7, PacketBuilder.UdpDatagram(6000, 9999, new byte[24]));
        byte[][] frames =
        [
            Wire.Frame(Fragment(datagram, 16, 8, more: true), fromClient: true), // held
            Wire.Frame(Fragment(datagram, 0, 16, more: true), fromClient: true), // held
            Wire.Frame(Fragment(datagram, 24, 8, more: false), fromClient: true), // completes the datagram
        ];
        string pcap = Path.Combine(_work.FullName, "fragments.pcap");
        InlineCapture.Write(pcap, frames);
        string rules = Path.Combine(_work.FullName, "fragments.rules");
        File.WriteAllText(rules, "drop udp any any -> any 9999 (msg:\"drop\"; sid:3;)\n");
        string yaml = Path.Combine(_work.FullName, "drop.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - drop\n        - stats\n");
        string logs = Path.Combine(_work.FullName, "fragment-logs");

        HostResult result = DetectHostProcess.Run("-c", yaml, "-r", pcap, "-S", rules, "-l", logs, "-k", "none", "--simulate-ips");

        Assert.True(result.ExitCode == 0, result.ToString());
        var eve = new EveLog(Path.Combine(logs, "eve.json"));
        JsonElement stats = eve.LastStats;
        JsonElement ips = stats.GetProperty("ips");
        Assert.Equal(1, stats.GetProperty("defrag").GetProperty("ipv4").GetProperty("reassembled").GetInt64());
        Assert.Equal((3L, 2L, 1L), (stats.GetProperty("decoder").GetProperty("pkts").GetInt64(), ips.GetProperty("accepted").GetInt64(), ips.GetProperty("blocked").GetInt64()));
        JsonElement drop = Assert.Single(eve.OfType("drop"));
        Assert.Equal(3, drop.GetProperty("pcap_cnt").GetInt64());
        Assert.Equal(9999, drop.GetProperty("dest_port").GetInt32());
    }

    private static byte[] Udp(bool fromClient, ReadOnlySpan<byte> payload) =>
        Wire.Frame(
            fromClient ? PacketBuilder.IPv4(Client, Server, PacketBuilder.Udp, 1, PacketBuilder.UdpDatagram(5000, 53, payload))
                : PacketBuilder.IPv4(Server, Client, PacketBuilder.Udp, 1, PacketBuilder.UdpDatagram(53, 5000, payload)),
            fromClient);

    /// <summary>A fragment of an IPv4 packet: its header (checksum left stale; the run does not check it) and <paramref name="length"/> bytes of its payload from <paramref name="offset"/>.</summary>
    private static byte[] Fragment(byte[] packet, int offset, int length, bool more)
    {
        byte[] fragment = [.. packet.AsSpan(0, 20), .. packet.AsSpan(20 + offset, length)];
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(2), (ushort)fragment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), (ushort)((more ? 0x2000 : 0) | (offset / 8)));
        return fragment;
    }
}
