using System.Text.Json;
using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>
/// IP fragments meet the rules as Suricata runs them: each fragment is a packet of its own without a
/// flow (decode-ipv4.c DecodeIPV4 returns after Defrag() with PKT_IS_FRAGMENT set and no transport
/// decoded; decode-ipv6.c DecodeIPV6ExtHdrs sets the fragment header's number, 44, as the protocol),
/// so only rules whose ports are <c>any</c> match it (detect.c DetectRunInspectRuleHeader). The
/// reassembled datagram runs first (tm-threads.c TmThreadsSlotVarRun takes the decoder's queued packet
/// through the next slots at once), then the fragment that completed it.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class FragmentRuleTests : IDisposable
{
    // pkt_IPv4Frag.pcap: one UDP datagram 192.168.0.254:2049 -> 192.168.0.2:1023 in three fragments, in order.
    private const string IPv4Fragments = "pcapplusplus/pkt_IPv4Frag.pcap";

    // ipv6-frag.pcap: two UDP packets ::11:0 -> ::1001, then one UDP datagram ::1001:6363 -> ::11:0:6363 in four fragments.
    private const string IPv6Fragments = "pcapplusplus/ipv6-frag.pcap";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("detect-fragment-rules-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void An_ip_rule_alerts_on_every_IPv4_fragment_and_the_datagram_and_a_rule_with_ports_on_the_datagram_only()
    {
        EveLog eve = Run(IPv4Fragments, """
            alert ip any any -> any any (msg:"ip"; sid:1;)
            alert udp any any -> any any (msg:"udp, ports any"; sid:2;)
            alert udp any any -> any 1023 (msg:"udp, a port"; sid:3;)
            alert ip any any -> any any (msg:"established"; flow:established; sid:4;)
            alert udp any any -> any !53 (msg:"udp, not a port"; sid:5;)
            """);

        // The third fragment completes the datagram: the datagram's alerts, then the fragment's.
        JsonElement[] alerts = InPacketOrder(eve);
        Assert.Equal([1, 2, 1, 2, 1, 2, 3, 5, 1, 2], alerts.Select(Sid));
        Assert.Equal([1, 1, 2, 2, 3, 3, 3, 3, 3, 3], alerts.Select(PcapCount));
        Assert.Equal("UDP", alerts[0].GetProperty("proto").GetString());
        Assert.False(alerts[0].TryGetProperty("flow_id", out _));
        Assert.True(alerts[6].TryGetProperty("flow_id", out _));
        Assert.False(alerts[8].TryGetProperty("flow_id", out _));

        // Every fragment is a captured packet, the completing one too; the datagram is defrag's, with its root in tunnel.
        Assert.Equal(["wire/pcap", "wire/pcap", "wire/pcap", "wire/pcap", "defrag", "defrag", "defrag", "defrag", "wire/pcap", "wire/pcap"], alerts.Select(a => a.GetProperty("pkt_src").GetString()));
        Assert.Equal([false, false, false, false, true, true, true, true, false, false], alerts.Select(a => a.TryGetProperty("tunnel", out _)));
    }

    [Fact]
    public void An_IPv6_fragment_has_the_fragment_header_as_its_protocol_and_no_ports()
    {
        EveLog eve = Run(IPv6Fragments, """
            alert ip 2607:f010:3f9::1001 any -> any any (msg:"ip"; sid:1;)
            alert udp 2607:f010:3f9::1001 any -> any any (msg:"udp, ports any"; sid:2;)
            alert ip 2607:f010:3f9::1001 any -> any 6363 (msg:"ip, a port"; sid:3;)
            """);

        // Fragments 3-5 are held, the sixth frame completes the datagram.
        JsonElement[] alerts = InPacketOrder(eve);
        Assert.Equal([1, 1, 1, 1, 2, 3, 1], alerts.Select(Sid));
        Assert.Equal([3, 4, 5, 6, 6, 6, 6], alerts.Select(PcapCount));
    }

    [Fact]
    public void Inline_a_drop_rule_drops_each_fragment_and_every_frame_is_counted_once()
    {
        EveLog eve = Run(IPv4Fragments, "drop ip any any -> any any (msg:\"drop\"; sid:1;)\n", "--simulate-ips");

        Assert.Equal((3L, 0L, 3L, 3L), Verdicts(eve));
        Assert.Equal([1, 2, 3], eve.OfType("drop").Select(PcapCount).Order());
        Assert.All(eve.Alerts, alert => Assert.Equal("blocked", alert.GetProperty("alert").GetProperty("action").GetString()));
    }

    [Fact]
    public void Inline_a_rule_only_the_fragments_match_drops_them_and_the_datagram_that_passed_moves_its_frame_to_blocked()
    {
        // ip_proto 44 is an IPv6 fragment's protocol, not its datagram's (UDP).
        EveLog eve = Run(IPv6Fragments, "drop ip any any -> any any (msg:\"fragments\"; ip_proto:44; sid:1;)\n", "--simulate-ips");

        Assert.Equal((6L, 2L, 4L, 4L), Verdicts(eve));
        Assert.Equal([3, 4, 5, 6], eve.OfType("drop").Select(PcapCount).Order());
        Assert.Equal([3, 4, 5, 6], eve.Alerts.Select(PcapCount).Order());
    }

    /// <summary>
    /// Firewall mode: the packet filter sees each fragment as a packet without a flow; a port rule that
    /// accepts the datagram's flow does not accept its fragments, which the default packet policy drops,
    /// the one that completed the datagram too (its frame counted once, under the firewall's drop).
    /// </summary>
    [Theory]
    [InlineData("accept:flow udp:all any any -> any 1023 (sid:1;)\n", 0L, 3L)]
    [InlineData("accept:flow udp:all any any -> any 1023 (sid:1;)\naccept:packet ip:all any any -> any any (sid:2;)\n", 3L, 0L)]
    public void In_firewall_mode_the_packet_filter_sees_each_fragment(string firewallRules, long accepted, long blocked)
    {
        string firewallPath = Path.Combine(_work.FullName, "firewall.rules");
        File.WriteAllText(firewallPath, firewallRules);
        EveLog eve = Run(IPv4Fragments, string.Empty, "--simulate-ips", "--firewall-rules-exclusive", firewallPath);

        JsonElement stats = eve.LastStats;
        JsonElement firewall = stats.GetProperty("firewall");
        Assert.Equal(3, stats.GetProperty("decoder").GetProperty("pkts").GetInt64());
        Assert.Equal((accepted, blocked, blocked), (firewall.GetProperty("accepted").GetInt64(), firewall.GetProperty("blocked").GetInt64(), firewall.GetProperty("drop_reason").GetProperty("default_packet_policy").GetInt64()));
        Assert.Equal(accepted, stats.GetProperty("ips").GetProperty("accepted").GetInt64());
    }

    /// <summary>Packets decoded, and accepted, blocked and dropped by rules inline.</summary>
    private static (long Packets, long Accepted, long Blocked, long ByRules) Verdicts(EveLog eve)
    {
        JsonElement stats = eve.LastStats;
        JsonElement ips = stats.GetProperty("ips");
        return (stats.GetProperty("decoder").GetProperty("pkts").GetInt64(), ips.GetProperty("accepted").GetInt64(), ips.GetProperty("blocked").GetInt64(), ips.GetProperty("drop_reason").GetProperty("rules").GetInt64());
    }

    /// <summary>The alerts by packet; a packet's own in the order written (records of different packets may interleave across writers).</summary>
    private static JsonElement[] InPacketOrder(EveLog eve) => [.. eve.Alerts.OrderBy(PcapCount)];

    private static int Sid(JsonElement alert) => alert.GetProperty("alert").GetProperty("signature_id").GetInt32();

    private static long PcapCount(JsonElement record) => record.GetProperty("pcap_cnt").GetInt64();

    private EveLog Run(string capture, string rules, params string[] extra)
    {
        string rulesPath = Path.Combine(_work.FullName, "fragments.rules");
        File.WriteAllText(rulesPath, rules);
        string yaml = Path.Combine(_work.FullName, "fragments.yaml");
        File.WriteAllText(yaml, "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n        - drop\n        - stats\n");
        string logs = Path.Combine(_work.FullName, "logs");
        HostResult result = DetectHostProcess.Run(["-c", yaml, "-r", SharedPcaps.Get(capture), "-S", rulesPath, "-l", logs, "-k", "none", .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return new EveLog(Path.Combine(logs, "eve.json"));
    }
}
