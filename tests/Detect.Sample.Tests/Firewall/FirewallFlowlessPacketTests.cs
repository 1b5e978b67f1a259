using System.Net;
using System.Text.Json;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;
using Samples.Generator;
using static Detect.Sample.Tests.Firewall.InlineCapture;

namespace Detect.Sample.Tests.Firewall;

/// <summary>
/// Firewall mode on packets without a flow (ARP, IGMP): Suricata's packet filter sees every packet,
/// so they are dropped by its default policy unless a packet-table rule accepts them; one without IP
/// has no rule group, so nothing accepts it. Each still gets exactly one verdict. Run as a process.
/// </summary>
public sealed class FirewallFlowlessPacketTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-fw-flowless-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Arp_and_igmp_are_dropped_by_the_default_packet_policy()
    {
        (JsonElement stats, EveLog eve, _) = Run("accept:flow tcp:all any any -> any 80 (sid:1;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(1, firewall.GetProperty("accepted").GetInt64()); // the SYN
        Assert.Equal(2, firewall.GetProperty("blocked").GetInt64());
        Assert.Equal(2, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64());
        AssertOneVerdictEach(stats);

        // ARP's drop record, then the IGMP packet's.
        JsonElement[] drops = [.. eve.OfType("drop")];
        Assert.Equal(2, drops.Length);
        Assert.False(drops[0].TryGetProperty("src_ip", out _));
        JsonElement drop = drops[1];
        Assert.Equal("IGMP", drop.GetProperty("proto").GetString());
        Assert.Equal("224.0.0.22", drop.GetProperty("dest_ip").GetString());
        Assert.Equal("default packet policy", drop.GetProperty("drop").GetProperty("reason").GetString());
        Assert.False(drop.TryGetProperty("ether", out _)); // ethernet: no (the default)
    }

    private const string ArpDropEveOptions = "      ethernet: yes\n      types:\n        - drop:\n            verdict: yes\n        - stats\n";

    [Fact]
    public void Each_dropped_arp_frame_gets_a_drop_record_with_only_its_ethernet_header_and_reason()
    {
        (JsonElement stats, EveLog eve, _) = Run("accept:flow tcp:all any any -> any 80 (sid:1;)\n", arpFrames: 2, eveOptions: ArpDropEveOptions);

        Assert.Equal(3, stats.GetProperty("firewall").GetProperty("blocked").GetInt64()); // 2 ARP + IGMP
        JsonElement[] drops = [.. eve.OfType("drop")];
        Assert.Equal(3, drops.Length);
        for (int i = 0; i < 2; i++)
        {
            // What Suricata writes for a packet without IP: no flow, addresses, ports, proto or IP
            // version, and a drop object with the reason alone.
            JsonElement arp = drops[i];
            Assert.Equal(i + 1, arp.GetProperty("pcap_cnt").GetInt32());
            foreach (string absent in (string[])["flow_id", "src_ip", "dest_ip", "src_port", "dest_port", "proto", "ip_v", "direction"])
            {
                Assert.False(arp.TryGetProperty(absent, out _), absent);
            }

            JsonElement fields = arp.GetProperty("drop");
            Assert.Equal("default packet policy", fields.GetProperty("reason").GetString());
            Assert.Single(fields.EnumerateObject());
            Assert.Equal("drop", arp.GetProperty("verdict").GetProperty("action").GetString());
            JsonElement ether = arp.GetProperty("ether");
            Assert.Equal(0x0806, ether.GetProperty("ether_type").GetInt32());
            Assert.Equal(InlineCapture.ArpSenderMac, ether.GetProperty("src_mac").GetString());
            Assert.Equal("ff:ff:ff:ff:ff:ff", ether.GetProperty("dest_mac").GetString());
        }

        // A drop record with IP carries its Ethernet header too.
        JsonElement igmp = drops[2].GetProperty("ether");
        Assert.Equal(0x0800, igmp.GetProperty("ether_type").GetInt32());
        Assert.Equal("02:00:00:00:00:01", igmp.GetProperty("src_mac").GetString());
        Assert.Equal("02:00:00:00:00:02", igmp.GetProperty("dest_mac").GetString());
    }

    /// <summary>The schema is Suricata's, read from the shared suricata-verify subset beside the checkout.</summary>
    [Fact]
    [Trait("Category", SharedPcaps.Category)]
    public void The_drop_records_of_packets_without_ip_validate_against_the_eve_schema()
    {
        (_, _, string eveJson) = Run("accept:flow tcp:all any any -> any 80 (sid:1;)\n", arpFrames: 2, eveOptions: ArpDropEveOptions);
        Assert.Empty(EveSchema.Violations(eveJson));
    }

    [Fact]
    public void A_packet_filter_rule_accepts_igmp_but_nothing_accepts_a_packet_without_ip()
    {
        (JsonElement stats, EveLog eve, _) = Run(
            "accept:flow tcp:all any any -> any 80 (sid:1;)\n"
            + "accept:packet ip:all any any -> 224.0.0.0/4 any (sid:2;)\n"
            + "accept:packet ip:all any any -> any any (sid:3;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(2, firewall.GetProperty("accepted").GetInt64());
        Assert.Equal(1, firewall.GetProperty("blocked").GetInt64()); // ARP
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64());
        AssertOneVerdictEach(stats);
        Assert.False(Assert.Single(eve.OfType("drop")).TryGetProperty("src_ip", out _)); // ARP's
    }

    [Fact]
    public void A_pre_flow_drop_rule_drops_igmp_before_the_packet_filter()
    {
        (JsonElement stats, EveLog eve, _) = Run(
            "drop:packet ip:pre_flow any any -> 224.0.0.22 any (sid:1;)\n"
            + "accept:packet ip:all any any -> any any (sid:2;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("pre_flow_hook").GetInt64());
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64()); // ARP
        AssertOneVerdictEach(stats);
        Assert.Equal(["default packet policy", "pre flow hook"], eve.OfType("drop").Select(d => d.GetProperty("drop").GetProperty("reason").GetString()));
    }

    /// <summary>Every packet the capture delivered got one verdict: the firewall's drop, or its accept and then threat detection's.</summary>
    private static void AssertOneVerdictEach(JsonElement stats)
    {
        JsonElement ips = stats.GetProperty("ips");
        JsonElement firewall = stats.GetProperty("firewall");
        long packets = stats.GetProperty("decoder").GetProperty("pkts").GetInt64();
        Assert.Equal(3, packets);
        Assert.Equal(packets, firewall.GetProperty("accepted").GetInt64() + firewall.GetProperty("blocked").GetInt64() + firewall.GetProperty("rejected").GetInt64());
        Assert.Equal(firewall.GetProperty("accepted").GetInt64(), ips.GetProperty("accepted").GetInt64() + ips.GetProperty("blocked").GetInt64() + ips.GetProperty("rejected").GetInt64());
    }

    /// <summary>Runs the host inline in firewall mode on ARP requests, an IGMP report and a TCP SYN to port 80.</summary>
    private (JsonElement Stats, EveLog Eve, string EveJson) Run(string firewallRules, int arpFrames = 1, string eveOptions = "      types:\n        - drop\n        - stats\n")
    {
        byte[][] frames =
        [
            .. Enumerable.Range(0, arpFrames).Select(_ => InlineCapture.Arp()),
            InlineCapture.Igmp(),
            Wire.Frame(PacketBuilder.IPv4(Client, IPAddress.Parse("10.0.0.2"), PacketBuilder.Tcp, 9, PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, [])), fromClient: true),
        ];
        string pcap = Path.Combine(_work.FullName, "flowless.pcap");
        InlineCapture.Write(pcap, frames);

        string rules = Path.Combine(_work.FullName, "firewall.rules");
        File.WriteAllText(rules, firewallRules);
        string logs = Path.Combine(_work.FullName, "logs");
        string yaml = Path.Combine(_work.FullName, "drop.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n" + eveOptions);
        HostResult result = DetectHostProcess.Run("-c", yaml, "-r", pcap, "--firewall-rules-exclusive", rules, "-l", logs, "-k", "none", "--simulate-ips");
        Assert.True(result.ExitCode == 0, result.ToString());
        string eveJson = Path.Combine(logs, "eve.json");
        var eve = new EveLog(eveJson);
        return (eve.LastStats, eve, eveJson);
    }
}
