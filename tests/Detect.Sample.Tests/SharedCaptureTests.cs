using Capture.Tests.Shared;
using Detect.Sample.Tests.Host;

namespace Detect.Sample.Tests;

/// <summary>The host on captures from ../shared/pcaps, checked against their manifest and tshark.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class SharedCaptureTests : IDisposable
{
    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("detect-shared-");

    public void Dispose() => _logs.Delete(recursive: true);

    [Theory]
    [InlineData("pcapplusplus/example.pcap", 4631)]
    [InlineData("pcapplusplus/four_ipv6_http_streams.pcap", 81)]
    [InlineData("pcapplusplus/DnsPackets.pcap", 464)]
    public void Packets_and_flows_agree_with_the_manifest_and_tshark(string capture, long packets)
    {
        string path = SharedPcaps.Get(capture);
        HostResult result = DetectHostProcess.Run("-r", path, "-l", _logs.FullName);
        Assert.True(result.ExitCode == 0, result.ToString());
        var eve = new EveLog(Path.Combine(_logs.FullName, "eve.json"));
        // Packets of capture-bypassed flows never reach the decoder; the capture counts them.
        Assert.Equal(packets, eve.LastStats.GetProperty("decoder").GetProperty("pkts").GetInt64() + eve.LastStats.GetProperty("flow_bypassed").GetProperty("pkts").GetInt64());
        Assert.Equal(packets, eve.Flows.Sum(EveLog.Packets));
        FlowAgreement.AssertAgrees(path, eve);
    }
}
