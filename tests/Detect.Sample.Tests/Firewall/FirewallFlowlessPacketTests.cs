using System.Net;
using System.Text.Json;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests.Firewall;

/// <summary>
/// Firewall mode on packets without a flow (ARP, IGMP): Suricata's packet filter sees every packet,
/// so they are dropped by its default policy unless a packet-table rule accepts them; one without IP
/// has no rule group, so nothing accepts it. Each still gets exactly one verdict. Run as a process.
/// </summary>
public sealed class FirewallFlowlessPacketTests : IDisposable
{
    private static readonly IPAddress Client = IPAddress.Parse("10.0.0.1");
    private static readonly Link Wire = new([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-fw-flowless-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void Arp_and_igmp_are_dropped_by_the_default_packet_policy()
    {
        (JsonElement stats, EveLog eve) = Run("accept:flow tcp:all any any -> any 80 (sid:1;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(1, firewall.GetProperty("accepted").GetInt64()); // the SYN
        Assert.Equal(2, firewall.GetProperty("blocked").GetInt64());
        Assert.Equal(2, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64());
        AssertOneVerdictEach(stats);

        // The IGMP packet's drop record; ARP has no IP header to describe.
        JsonElement drop = Assert.Single(eve.OfType("drop"));
        Assert.Equal("IGMP", drop.GetProperty("proto").GetString());
        Assert.Equal("224.0.0.22", drop.GetProperty("dest_ip").GetString());
        Assert.Equal("default packet policy", drop.GetProperty("drop").GetProperty("reason").GetString());
    }

    [Fact]
    public void A_packet_filter_rule_accepts_igmp_but_nothing_accepts_a_packet_without_ip()
    {
        (JsonElement stats, EveLog eve) = Run(
            "accept:flow tcp:all any any -> any 80 (sid:1;)\n"
            + "accept:packet ip:all any any -> 224.0.0.0/4 any (sid:2;)\n"
            + "accept:packet ip:all any any -> any any (sid:3;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(2, firewall.GetProperty("accepted").GetInt64());
        Assert.Equal(1, firewall.GetProperty("blocked").GetInt64()); // ARP
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64());
        AssertOneVerdictEach(stats);
        Assert.Empty(eve.OfType("drop"));
    }

    [Fact]
    public void A_pre_flow_drop_rule_drops_igmp_before_the_packet_filter()
    {
        (JsonElement stats, EveLog eve) = Run(
            "drop:packet ip:pre_flow any any -> 224.0.0.22 any (sid:1;)\n"
            + "accept:packet ip:all any any -> any any (sid:2;)\n");

        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("pre_flow_hook").GetInt64());
        Assert.Equal(1, firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64()); // ARP
        AssertOneVerdictEach(stats);
        Assert.Equal("pre flow hook", Assert.Single(eve.OfType("drop")).GetProperty("drop").GetProperty("reason").GetString());
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

    /// <summary>Runs the host inline in firewall mode on an ARP request, an IGMP report and a TCP SYN to port 80.</summary>
    private (JsonElement Stats, EveLog Eve) Run(string firewallRules)
    {
        byte[][] frames =
        [
            InlineCapture.Arp(),
            Wire.Frame(PacketBuilder.IPv4(Client, IPAddress.Parse("224.0.0.22"), 2, 8, [0x16, 0, 0, 0, 224, 0, 0, 22]), fromClient: true),
            Wire.Frame(PacketBuilder.IPv4(Client, IPAddress.Parse("10.0.0.2"), PacketBuilder.Tcp, 9, PacketBuilder.TcpSegment(40000, 80, 1, 0, 0x02, [])), fromClient: true),
        ];
        string pcap = Path.Combine(_work.FullName, "flowless.pcap");
        InlineCapture.Write(pcap, frames);

        string rules = Path.Combine(_work.FullName, "firewall.rules");
        File.WriteAllText(rules, firewallRules);
        string logs = Path.Combine(_work.FullName, "logs");
        string yaml = Path.Combine(_work.FullName, "drop.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - drop\n        - stats\n");
        HostResult result = DetectHostProcess.Run("-c", yaml, "-r", pcap, "--firewall-rules-exclusive", rules, "-l", logs, "-k", "none", "--simulate-ips");
        Assert.True(result.ExitCode == 0, result.ToString());
        var eve = new EveLog(Path.Combine(logs, "eve.json"));
        return (eve.LastStats, eve);
    }
}
