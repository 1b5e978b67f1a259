using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using Detect.Sample.Tests.Host;
using Samples.Generator;

namespace Detect.Sample.Tests;

/// <summary>
/// On a live capture every record made from a packet names the capture device in <c>in_iface</c>, as
/// Suricata's <c>CreateEveHeader</c> writes <c>p-&gt;livedev</c>: those of a packet without a flow
/// (an IGMP report's alert and drop, an unknown EtherType's anomaly) as those of a packet of a flow.
/// The host captures with af-packet on a veth pair, in simulated IPS mode with a rule that drops every
/// IP packet.
/// </summary>
public sealed class LiveRecordInterfaceTests
{
    private const string Rules = "drop ip any any -> any any (msg:\"any\"; sid:1;)\n";

    private const string Yaml =
        "%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      types:\n        - alert\n"
        + "        - anomaly:\n            enabled: yes\n            types:\n              decode: yes\n"
        + "        - drop\n        - flow\n";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void Records_of_packets_with_and_without_a_flow_name_the_capture_device()
    {
        using var net = new VethNamespace("evefld");
        DirectoryInfo work = Directory.CreateTempSubdirectory("detect-live-iface-");
        try
        {
            string yaml = Path.Combine(work.FullName, "live.yaml");
            File.WriteAllText(yaml, Yaml);
            string rules = Path.Combine(work.FullName, "live.rules");
            File.WriteAllText(rules, Rules);
            string logs = Path.Combine(work.FullName, "logs");
            string eve = Path.Combine(logs, "eve.json");
            HostResult result;
            using (RunningHost host = DetectSampleLocation.Start("-c", yaml, $"--af-packet={net.HostInterface}", "-S", rules, "-l", logs, "-k", "none", "--simulate-ips", "-v"))
            {
                host.WaitUntil(() => host.Error.Contains("Capture started", StringComparison.Ordinal), "the capture-started line", Wait);
                net.CreateSender().Send(Frames(net));
                host.WaitUntil(() => Records(eve).Count(e => IsFrom(e, net.PeerIPv4) || IsUnknownEtherType(e)) >= 6, "the records of the frames sent", Wait);
                host.Signal(RunningHost.SigTerm);
                result = DetectHostProcess.Finish(host, Wait);
            }

            Assert.True(result.ExitCode == 0, result.ToString());
            List<JsonElement> records = Records(eve);
            JsonElement flowless = Assert.Single(records, e => Type(e) == "alert" && Proto(e) == "IGMP" && IsFrom(e, net.PeerIPv4));
            Assert.False(flowless.TryGetProperty("flow_id", out _), flowless.GetRawText());
            Assert.Equal(net.HostInterface, InIface(flowless));
            Assert.Equal(net.HostInterface, InIface(Assert.Single(records, e => Type(e) == "drop" && Proto(e) == "IGMP" && IsFrom(e, net.PeerIPv4))));
            Assert.Equal(net.HostInterface, InIface(Assert.Single(records, IsUnknownEtherType)));

            // The packet of a flow: its alert as before, and its anomaly.
            Assert.Equal(net.HostInterface, InIface(Assert.Single(records, e => Type(e) == "alert" && Proto(e) == "ICMP" && IsFrom(e, net.PeerIPv4))));
            JsonElement anomaly = Assert.Single(records, e => Type(e) == "anomaly" && IsFrom(e, net.PeerIPv4));
            Assert.True(anomaly.TryGetProperty("flow_id", out _), anomaly.GetRawText());
            Assert.Equal(net.HostInterface, InIface(anomaly));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>An IGMP report (no flow), a destination unreachable with a code Suricata does not define (an anomaly of a packet of a flow), and a frame of an unknown EtherType (an anomaly without a flow).</summary>
    private static byte[][] Frames(VethNamespace net)
    {
        var link = new Link(net.PeerMac, net.HostMac);
        byte[] unknown = link.Frame(new byte[46], fromClient: true);
        BinaryPrimitives.WriteUInt16BigEndian(unknown.AsSpan(12), 0xFBB7);
        return
        [
            link.Frame(PacketBuilder.IPv4(net.PeerIPv4, IPAddress.Parse("224.0.0.22"), 2, 1, [0x16, 0, 0, 0, 224, 0, 0, 22]), fromClient: true),
            link.Frame(PacketBuilder.IPv4(net.PeerIPv4, net.HostIPv4, PacketBuilder.Icmp, 2, PacketBuilder.IcmpMessage(3, 99, 0, new byte[28])), fromClient: true),
            unknown,
        ];
    }

    private static List<JsonElement> Records(string eve)
    {
        if (!File.Exists(eve))
        {
            return [];
        }

        // Read while the host writes: a line being written is left for the next look.
        var records = new List<JsonElement>();
        foreach (string line in File.ReadLines(eve))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                records.Add(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
            }
        }

        return records;
    }

    private static string? Type(JsonElement e) => e.GetProperty("event_type").GetString();

    private static string? Proto(JsonElement e) => e.TryGetProperty("proto", out JsonElement proto) ? proto.GetString() : null;

    private static string? InIface(JsonElement e) => e.TryGetProperty("in_iface", out JsonElement name) ? name.GetString() : null;

    private static bool IsFrom(JsonElement e, IPAddress sender) =>
        e.TryGetProperty("src_ip", out JsonElement source) && IPAddress.Parse(source.GetString()!).Equals(sender);

    private static bool IsUnknownEtherType(JsonElement e) =>
        Type(e) == "anomaly" && e.GetProperty("anomaly").GetProperty("event").GetString() == "decoder.ethernet.unknown_ethertype";
}
