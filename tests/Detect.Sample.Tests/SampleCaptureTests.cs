using System.Text.Json;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>The shipped sample, run the way the README runs it, checked against tshark.</summary>
public sealed class SampleCaptureTests(SampleRunFixture run) : IClassFixture<SampleRunFixture>
{
    [Fact]
    public void Default_run_writes_eve_json_with_flow_alert_and_stats_events()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        Assert.Contains($"writing {run.EvePath}", run.Result.Output, StringComparison.Ordinal);
        Assert.Contains("flows:", run.Result.Output, StringComparison.Ordinal);
        EveLog eve = run.Eve;
        Assert.Equal(266, eve.Flows.Count);
        Assert.Contains(eve.Alerts, a => a.GetProperty("alert").GetProperty("signature_id").GetInt64() == 1000001);
        JsonElement stats = eve.LastStats;
        // The pcap plugin drops packets of capture-bypassed flows before user space, as XDP does:
        // how many depends on how far the reader was ahead, but together they are the whole file.
        JsonElement capture = stats.GetProperty("capture");
        long delivered = capture.GetProperty("kernel_packets").GetInt64();
        Assert.Equal(2264, delivered + stats.GetProperty("flow_bypassed").GetProperty("pkts").GetInt64());
        Assert.Equal(delivered, stats.GetProperty("decoder").GetProperty("pkts").GetInt64());
        // This host's own counters stay out of EVE stats unless host-counters is set (Suricata's schema is closed).
        Assert.False(capture.TryGetProperty("bypassed_pkts", out _), stats.ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$", eve.OfType("stats").Last().GetProperty("timestamp").GetString()!);
        Assert.Equal(eve.Alerts.Count, stats.GetProperty("detect").GetProperty("alert").GetInt64());
        // Suricata writes no in_iface for packets read from files (they have no live device).
        Assert.All(eve.Flows.Concat(eve.Alerts), e => Assert.False(e.TryGetProperty("in_iface", out _), e.GetRawText()));
        foreach (JsonElement flow in eve.Flows)
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$", flow.GetProperty("timestamp").GetString()!);
            Assert.StartsWith("1:", flow.GetProperty("community_id").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Alerts_carry_pcap_cnt_the_place_of_their_packet_in_the_file()
    {
        IReadOnlyList<TsharkFrame> frames = Tshark.Frames(DetectHostProcess.SamplePcap);
        IReadOnlyList<JsonElement> alerts = run.Eve.Alerts;
        Assert.NotEmpty(alerts);
        foreach (JsonElement alert in alerts)
        {
            // Suricata's pcap_cnt is 1-based: the nth record of the file, as tshark's frame.number.
            long number = alert.GetProperty("pcap_cnt").GetInt64();
            Assert.InRange(number, 1, frames.Count);
            TsharkFrame frame = frames[(int)number - 1];
            string stamp = alert.GetProperty("timestamp").GetString()!;
            long micros = DateTimeOffset.Parse(stamp.Insert(stamp.Length - 2, ":"), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000
                + long.Parse(stamp.AsSpan(23, 3), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(frame.Microseconds, micros);
            Assert.Equal(frame.Conversation, Tshark.Key(EveLog.Endpoint(alert, "src"), EveLog.Endpoint(alert, "dest")));
        }
    }

    [Fact]
    public void Flow_packet_and_byte_counts_agree_with_tshark_conversations()
    {
        Assert.True(run.Result.ExitCode == 0, run.Result.ToString());
        int conversations = FlowAgreement.AssertAgrees(DetectHostProcess.SamplePcap, run.Eve);
        Assert.Equal(261, conversations);
    }

    [Fact]
    public void Vlan_and_tunnel_flows_carry_their_vlan_ids_and_a_gre_tunnel_only_its_inner_flows()
    {
        EveLog eve = run.Eve;
        Assert.Equal(15, eve.Flows.Count(f => f.TryGetProperty("vlan", out JsonElement v) && v.GetArrayLength() == 1 && v[0].GetInt32() == 100));
        Assert.Equal(5, eve.Flows.Count(f => f.TryGetProperty("vlan", out JsonElement v) && v.GetArrayLength() == 2 && v[0].GetInt32() == 200 && v[1].GetInt32() == 300));

        // As Suricata: the GRE packets key no flow of their own, the packets inside them do.
        Assert.DoesNotContain(eve.Flows, f => f.GetProperty("proto").GetString() == "GRE");
        Assert.Equal(2, eve.Flows.Count(f => f.GetProperty("src_ip").GetString() == "10.99.0.1" && f.GetProperty("dest_ip").GetString() == "10.99.0.2"));
        Assert.Equal(4, eve.Flows.Count(f => f.GetProperty("proto").GetString() == "ICMP"));
        Assert.Single(eve.Flows, f => f.GetProperty("proto").GetString() == "IPv6-ICMP");
    }

    [Fact]
    public void Tls_and_stream_depth_bypass_report_exact_totals()
    {
        EveLog eve = run.Eve;
        Dictionary<string, TsharkConversation> tshark = Tshark.Conversations(DetectHostProcess.SamplePcap)
            .ToDictionary(c => Tshark.Key(c.A, c.B), StringComparer.Ordinal);
        JsonElement[] bypassed = [.. eve.Flows.Where(f => f.GetProperty("flow").TryGetProperty("bypass", out _))];

        // Four TLS sessions (encryption-handling: bypass), the video stream (rule with bypass) and the
        // bulk download (stream depth 64kb).
        Assert.Equal(6, bypassed.Length);
        Assert.Equal(4, bypassed.Count(f => f.GetProperty("dest_port").GetInt32() == 443));
        foreach (JsonElement flow in bypassed)
        {
            JsonElement counters = flow.GetProperty("flow");
            Assert.Equal("bypassed", counters.GetProperty("state").GetString());
            Assert.Contains(counters.GetProperty("bypass").GetString(), new[] { "local", "capture" });
            if (counters.GetProperty("bypass").GetString() == "capture")
            {
                Assert.True(counters.TryGetProperty("bypassed", out JsonElement capture));
                Assert.True(capture.GetProperty("pkts_toserver").GetInt64() <= counters.GetProperty("pkts_toserver").GetInt64());
            }

            TsharkConversation conversation = tshark[Tshark.Key(EveLog.Endpoint(flow, "src"), EveLog.Endpoint(flow, "dest"))];
            long packets = EveLog.Packets(flow);
            Assert.True(conversation.Frames == packets, $"tshark has {conversation.Frames} frames, the flow {packets}: {flow.GetRawText()}\n{run.Result}");
        }
    }
}
