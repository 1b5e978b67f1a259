using System.Net;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using static Capture.Tests.Kernel.TunnelFrames;

namespace Capture.AfPacket.Tests;

/// <summary>
/// The built host, live on the veth with XDP bypass, sees flows inside VXLAN and GRE: a rule
/// bypasses one inner UDP flow (in VXLAN, both directions, the replies in the tunnel's other
/// direction) and one inner TCP flow (in GRE); XDP drops just those, EVE accounts for them
/// exactly in the inner flows' records (the VXLAN ones with their tunnel's flow as parent; GRE has
/// no flow of its own), and the other inner flows of
/// the same tunnels reach the host whole.
/// </summary>
public sealed class TunnelBypassEndToEndTests(TunnelBypassNet net) : IClassFixture<TunnelBypassNet>, IDisposable
{
    private const int BypassedUdpToServer = 20;
    private const int BypassedUdpToClient = 7;
    private const int OtherUdpPackets = 12;
    private const int BypassedTcpPackets = 15;
    private const int OtherTcpPackets = 9;
    private const uint Vni = 4242;
    private const uint GreKey = 77;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("xtun-");
    private ushort _vxlanPort = 4789;

    public void Dispose() => _work.Delete(recursive: true);

    // 8472: VXLAN on a port of decoder.vxlan.ports (as Linux's own VXLAN default), which the
    // filter follows because the host passes the decoder's ports to the capture plugin.
    [Theory]
    [InlineData(4789, "")]
    [InlineData(8472, "vars:\n  port-groups:\n    VXLAN_PORTS: 8472\ndecoder:\n  vxlan:\n    ports: $VXLAN_PORTS\n")]
    public void A_bypassed_inner_flow_is_dropped_in_xdp_and_accounted_exactly_while_its_tunnel_s_other_flows_reach_the_host(int vxlanPort, string decoderYaml)
    {
        _vxlanPort = (ushort)vxlanPort;
        using RunningHost host = XdpBypassHost.Start(
            net,
            _work,
            "tunnel",
            "alert udp any any -> any 5555 (msg:\"inner udp bypass\"; bypass; sid:9300001; rev:1;)\n"
            + "alert tcp any any -> any 8081 (msg:\"inner tcp bypass\"; bypass; sid:9300002; rev:1;)",
            decoderYaml);
        host.WaitUntil(() => XdpLinkState.Read(net.HostInterface).Attached && host.Error.Contains("Capture started", StringComparison.Ordinal), "XDP attached and the capture started", Wait);

        // The first packet of each flow to bypass makes its rule ask; the rest come after the entries are in.
        NetnsFrameSender sender = net.CreateSender();
        sender.Send([InVxlan(UdpToServer(5555, 0)), InGre(TcpToServer(8081, 0))]);
        host.WaitUntil(() => Count(host.Error, "Bypass requested") >= 2, "the bypass of both inner flows", Wait);
        Thread.Sleep(300);

        var rest = new List<byte[]>();
        rest.AddRange(Enumerable.Range(1, BypassedUdpToServer - 1).Select(i => InVxlan(UdpToServer(5555, i))));
        rest.AddRange(Enumerable.Range(0, BypassedUdpToClient).Select(i => InVxlanBack(UdpToClient(5555, i))));
        rest.AddRange(Enumerable.Range(0, OtherUdpPackets).Select(i => InVxlan(UdpToServer(5556, i))));
        rest.AddRange(Enumerable.Range(1, BypassedTcpPackets - 1).Select(i => InGre(TcpToServer(8081, i))));
        rest.AddRange(Enumerable.Range(0, OtherTcpPackets).Select(i => InGre(TcpToServer(8082, i))));
        sender.Send(rest);
        Thread.Sleep(500);

        host.Signal(RunningHost.SigTerm);
        (int exitCode, string output, string errors) = host.WaitForExit(Wait);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "an XDP program remained on the interface");

        string eve = Path.Combine(_work.FullName, "logs", "eve.json");
        JsonElement udp = EveFlowRecords.ByDestinationPort(eve, 5555);
        JsonElement udpFlow = udp.GetProperty("flow");
        Assert.True("capture" == udpFlow.GetProperty("bypass").GetString(), $"{udp}\n{errors}");
        Assert.Equal(BypassedUdpToServer, udpFlow.GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(BypassedUdpToClient, udpFlow.GetProperty("pkts_toclient").GetInt64());
        Assert.Equal(BypassedUdpToServer - 1, udpFlow.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(BypassedUdpToClient, udpFlow.GetProperty("bypassed").GetProperty("pkts_toclient").GetInt64());
        AssertParent(eve, udp, "UDP", vxlanPort);

        JsonElement otherUdp = EveFlowRecords.ByDestinationPort(eve, 5556);
        Assert.Equal(OtherUdpPackets, otherUdp.GetProperty("flow").GetProperty("pkts_toserver").GetInt64());
        Assert.False(otherUdp.GetProperty("flow").TryGetProperty("bypass", out _), $"an inner flow no rule bypassed is marked bypassed: {otherUdp}");
        AssertParent(eve, otherUdp, "UDP", vxlanPort);

        JsonElement tcp = EveFlowRecords.ByDestinationPort(eve, 8081);
        JsonElement tcpFlow = tcp.GetProperty("flow");
        Assert.True("capture" == tcpFlow.GetProperty("bypass").GetString(), $"{tcp}\n{errors}");
        Assert.Equal(BypassedTcpPackets, tcpFlow.GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(BypassedTcpPackets - 1, tcpFlow.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64());
        AssertNoGreFlow(eve, tcp);

        JsonElement otherTcp = EveFlowRecords.ByDestinationPort(eve, 8082);
        Assert.Equal(OtherTcpPackets, otherTcp.GetProperty("flow").GetProperty("pkts_toserver").GetInt64());
        Assert.False(otherTcp.GetProperty("flow").TryGetProperty("bypass", out _), $"an inner flow no rule bypassed is marked bypassed: {otherTcp}");
        AssertNoGreFlow(eve, otherTcp);
    }

    // Inner flows between 10.77.0.1 (client) and 10.77.0.2, told apart by server port; payload length by index.
    private static byte[] UdpToServer(ushort port, int index) =>
        InnerFrame(IPv4("10.77.0.1", "10.77.0.2", 17, Udp((ushort)(port + 30000), port, new byte[20 + index])));

    private static byte[] UdpToClient(ushort port, int index) =>
        InnerFrame(IPv4("10.77.0.2", "10.77.0.1", 17, Udp(port, (ushort)(port + 30000), new byte[60 + index])));

    private static byte[] TcpToServer(ushort port, int index) =>
        IPv4("10.78.0.1", "10.78.0.2", 6, Tcp((ushort)(port + 30000), port, index == 0 ? (byte)0x02 : (byte)0x18, 1000 + (uint)(index * 100), index == 0 ? [] : new byte[10 + index]));

    private static byte[] InnerFrame(byte[] ip) => Ethernet([0x02, 0x77, 0, 0, 0, 2], [0x02, 0x77, 0, 0, 0, 1], Ipv4, ip);

    // VXLAN from the namespace end to the host end, and back (outer addresses swapped, same VNI).
    private byte[] InVxlan(byte[] inner) => Outer(net.PeerIPv4, net.HostIPv4, 17, Udp(50000, _vxlanPort, Vxlan(Vni, inner)));

    private byte[] InVxlanBack(byte[] inner) => Outer(net.HostIPv4, net.PeerIPv4, 17, Udp(50001, _vxlanPort, Vxlan(Vni, inner)));

    private byte[] InGre(byte[] innerIp) => Outer(net.PeerIPv4, net.HostIPv4, 47, Gre(Ipv4, innerIp, key: GreKey));

    private byte[] Outer(IPAddress source, IPAddress destination, byte protocol, byte[] payload) =>
        Ethernet(net.HostMac, net.PeerMac, Ipv4, IPv4(source.ToString(), destination.ToString(), protocol, payload));

    // The inner flow's record names its tunnel's flow, which the host logged too.
    private static void AssertParent(string eve, JsonElement inner, string protocol, int? port)
    {
        Assert.True(inner.TryGetProperty("parent_id", out JsonElement parentId), $"no parent_id: {inner}");
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.GetProperty("event_type").GetString() == "flow" && root.GetProperty("flow_id").GetInt64() == parentId.GetInt64())
            {
                Assert.Equal(protocol, root.GetProperty("proto").GetString());
                if (port is int p)
                {
                    Assert.Equal(p, root.GetProperty("dest_port").GetInt32());
                }

                return;
            }
        }

        Assert.Fail($"no flow record for parent_id {parentId} of {inner}");
    }

    // As in Suricata, a GRE packet keys no flow of its own: the inner flow has no parent, and no GRE flow is logged.
    // The host end has no GRE tunnel, so its kernel answers some GRE packets with "protocol 47 unreachable"
    // (rate-limited): quoting GRE, that error is plain ICMP, not a GRE flow either.
    private static void AssertNoGreFlow(string eve, JsonElement inner)
    {
        Assert.False(inner.TryGetProperty("parent_id", out _), $"a parent_id on a flow inside GRE: {inner}");
        foreach (string line in File.ReadLines(eve))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            Assert.False(root.GetProperty("event_type").GetString() == "flow" && root.GetProperty("proto").GetString() == "GRE", $"a GRE flow record: {root}");
        }
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
