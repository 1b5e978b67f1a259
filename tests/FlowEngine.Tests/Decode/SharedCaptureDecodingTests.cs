using Capture.Abstractions;
using Capture.Tests.Shared;
using FlowEngine.Decode;

namespace FlowEngine.Tests.Decode;

/// <summary>Decodes every shared capture and checks the counts the upstream projects assert.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class SharedCaptureDecodingTests
{
    private static readonly HashSet<string> DecodedLinkTypes = ["ether", "rawip", "rawip4", "rawip6", "linux-sll", "linux-sll2", "null", "loop"];

    internal static DecoderUnderTest DecodeCapture(string relativePath) => DecodeFile(SharedPcaps.Get(relativePath));

    private static DecoderUnderTest DecodeFile(string path)
    {
        var t = new DecoderUnderTest();
        DecodedPacket packet = default;
        long lastExpire = long.MinValue;
        foreach (TestCapturePacket p in TestCaptureReader.Read(path))
        {
            PacketRecord record = p.Record;
            t.Decoder.Decode(p.Data, in record, ref packet, out ReadOnlySpan<byte> bytes);
            Assert.True(bytes.Length >= 0);
            if (record.TimestampNanoseconds - lastExpire > 1_000_000_000)
            {
                t.Defragmenter!.Expire(record.TimestampNanoseconds);
                lastExpire = record.TimestampNanoseconds;
            }
        }

        return t;
    }

    [Fact]
    public void Every_shared_capture_decodes_without_an_internal_error()
    {
        var manifest = SharedPcaps.Manifest().ToDictionary(r => r["path"], StringComparer.Ordinal);
        string root = SharedPcaps.Directory;
        var files = Directory.EnumerateFiles(root, "*.pcap*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 800, $"expected the shared captures in {root}, found {files.Count} files");
        var problems = new List<string>();
        long packets = 0;
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            DecoderUnderTest t;
            try
            {
                t = DecodeFile(file);
            }
            catch (InvalidDataException e)
            {
                // Not a capture our small reader knows; the decoder never saw it.
                if (manifest.TryGetValue(relative, out var r) && r["file_format"] is "pcap" or "nsecpcap" or "pcapng")
                {
                    problems.Add($"{relative}: {e.Message}");
                }

                continue;
            }

            packets += t.Counters.Packets;
            if (t["decoder.event.internal_error"] != 0)
            {
                problems.Add($"{relative}: {t["decoder.event.internal_error"]} internal errors");
            }

            if (manifest.TryGetValue(relative, out var row) && int.TryParse(row["packets"], out int expected) && expected > 0 && row["role"] != "robustness" && t.Counters.Packets != expected)
            {
                problems.Add($"{relative}: read {t.Counters.Packets} packets, MANIFEST says {expected}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(packets > 100_000, $"only {packets} packets decoded");
    }

    [Fact]
    public void Layers_tshark_saw_are_counted_by_the_decoder()
    {
        var checks = new Dictionary<string, string>
        {
            ["vlan"] = "decoder.vlan",
            ["mpls"] = "decoder.mpls",
            ["gre"] = "decoder.gre",
            ["vxlan"] = "decoder.vxlan",
            ["pppoes"] = "decoder.pppoe",
            ["arp"] = "decoder.arp",
            ["ipv6"] = "decoder.ipv6",
            ["sctp"] = "decoder.sctp",
            ["erspan"] = "decoder.erspan",
            ["geneve"] = "decoder.geneve",
            ["teredo"] = "decoder.teredo",
            ["icmpv6"] = "decoder.icmpv6",
            ["tcp"] = "decoder.tcp",
            ["udp"] = "decoder.udp",
        };
        // What tshark sees there that this decoder rightly does not count.
        var notOurs = new Dictionary<string, string>
        {
            ["pcapplusplus/pkt_IcmpPackets.pcap"] = "TCP/UDP only as quotes inside ICMP errors",
            ["ddos/amp.UDP.snmp.src161.pcapng"] = "TCP only as quotes inside ICMP errors",
            ["pcapplusplus/pkt_gtp.pcap"] = "GTP tunnels are out of scope",
            ["tcpdump/arista_ether.pcap"] = "Arista timestamp EtherType is out of scope",
            ["tcpdump/ipv6_39_byte_header.pcap"] = "a 39-byte 'IPv6 header'",
            ["tcpdump/macsec-short-longer.pcap"] = "MACsec is out of scope",
            ["tcpdump/macsec-short-shorter.pcap"] = "MACsec is out of scope",
            ["tcpdump/macsec-short-valid.pcap"] = "MACsec is out of scope",
            ["tcpdump/mpls-over-udp.pcap"] = "MPLS over UDP is out of scope",
            ["tcpdump/nsh.pcap"] = "NSH / VXLAN-GPE is out of scope",
            ["tcpdump/sflow_expanded.pcap"] = "packet headers inside sFlow samples",
            ["tcpdump/erspan-type-iii-pb-1.pcap"] = "one packet cut by the snap length inside its ERSPAN header",
            ["tcpdump/rip_error_hexdump.pcap"] = "a lone first fragment: held for reassembly, its UDP header not counted",
        };
        var problems = new List<string>();
        int checkedFiles = 0;
        foreach (var row in SharedPcaps.Manifest())
        {
            if (notOurs.ContainsKey(row["path"]) || row["role"] == "robustness" || !DecodedLinkTypes.Contains(row["linktype"]) || row["tshark_malformed_pkts"] != "0")
            {
                continue;
            }

            DecoderUnderTest t = DecodeCapture(row["path"]);
            checkedFiles++;
            if (t.Counters.Invalid != 0)
            {
                var events = t.Counters.Enumerate().Where(c => c.Key.StartsWith("decoder.event.", StringComparison.Ordinal) && c.Value > 0).Select(c => $"{c.Key}={c.Value}");
                problems.Add($"{row["path"]}: {t.Counters.Invalid} invalid packets ({string.Join(", ", events)})");
            }

            foreach (string layer in row["layers_seen"].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (checks.TryGetValue(layer, out string? counter) && t[counter] == 0)
                {
                    problems.Add($"{row["path"]}: tshark saw {layer}, {counter} is 0");
                }
            }
        }

        Assert.True(checkedFiles > 100, $"only {checkedFiles} captures checked");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Example_pcap_matches_pcapplusplus_counts()
    {
        DecoderUnderTest t = DecodeCapture("pcapplusplus/example.pcap");
        Assert.Equal(4631, t.Counters.Packets);
        Assert.Equal(4631, t["decoder.ethernet"]);
        Assert.Equal(4631, t["decoder.ipv4"]);
        Assert.Equal(4492, t["decoder.tcp"]);
        Assert.Equal(139, t["decoder.udp"]);
        Assert.Equal(0, t.Counters.Invalid);
    }

    [Fact]
    public void Ip_frag_pcap_reassembles_190_datagrams_from_1859_fragments()
    {
        DecoderUnderTest t = DecodeCapture("pcapplusplus/ip-frag.pcap");
        Assert.Equal(3000, t.Counters.Packets);
        Assert.Equal(2996, t["decoder.ipv4"]);
        Assert.Equal(1859, t["defrag.ipv4.fragments"]);
        Assert.Equal(190, t["defrag.ipv4.reassembled"]);
    }

    [Fact]
    public void Ipv6_frag_pcap_reassembles_one_datagram_from_4_fragments()
    {
        DecoderUnderTest t = DecodeCapture("pcapplusplus/ipv6-frag.pcap");
        Assert.Equal(6, t.Counters.Packets);
        Assert.Equal(4, t["defrag.ipv6.fragments"]);
        Assert.Equal(1, t["defrag.ipv6.reassembled"]);
    }

    [Theory]
    [InlineData("pcapplusplus/VlanPackets.pcap", "decoder.vlan", 1)]
    [InlineData("pcapplusplus/null_loopback.pcap", "decoder.null", 3)]
    [InlineData("pcapplusplus/sll.pcap", "decoder.sll", 518)]
    [InlineData("pcapplusplus/sll2.pcap", "decoder.sll2", 3)]
    [InlineData("pcapplusplus/pkt_MplsPackets.pcap", "decoder.mpls", 2)]
    [InlineData("pcapplusplus/pkt_PPPoESession.pcap", "decoder.pppoe", 2)]
    [InlineData("tcpdump/vxlan.pcap", "decoder.vxlan", 10)]
    public void Captures_count_their_link_layers(string path, string counter, long atLeast)
    {
        DecoderUnderTest t = DecodeCapture(path);
        Assert.True(t[counter] >= atLeast, $"{path}: {counter} = {t[counter]}, expected at least {atLeast}");
        Assert.Equal(0, t["decoder.event.internal_error"]);
    }
}
