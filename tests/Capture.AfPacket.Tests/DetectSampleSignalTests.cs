using System.Diagnostics;
using System.Text.Json;
using Capture.Tests.Host;
using Capture.Tests.Kernel;
using Xunit.Abstractions;

namespace Capture.AfPacket.Tests;

/// <summary>
/// The built host, live on the veth with XDP bypass, stopped by signals as systemd and an
/// operator stop it: SIGTERM ends every flow with exact records and detaches XDP; after SIGKILL
/// the next start attaches; a foreign XDP program on the interface is refused, not replaced.
/// </summary>
public sealed class DetectSampleSignalTests(DetectSampleSignalNet net, ITestOutputHelper log) : IClassFixture<DetectSampleSignalNet>, IDisposable
{
    private const int SigKill = RunningHost.SigKill;
    private const int SigTerm = RunningHost.SigTerm;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int BypassedFlowPackets = 25;
    private const int OtherFlowPackets = 15;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("afsig-");

    private string Logs => Path.Combine(_work.FullName, "logs");

    public void Dispose()
    {
        ForeignXdpProgram.DetachGeneric(net.HostInterface);
        _work.Delete(recursive: true);
    }

    [Fact]
    public void Sigterm_during_a_live_run_ends_every_flow_exactly_and_leaves_no_xdp_program()
    {
        using RunningHost host = Start();
        host.WaitUntil(() => XdpLinkState.Read(net.HostInterface).Attached && host.Error.Contains("Capture started", StringComparison.Ordinal), "XDP attached and the capture started", Wait);
        // The rule bypasses the flow on its first packet; the rest are dropped in XDP.
        net.CreateSender().Send([KernelFrames.Udp(net, 41000, 5555, 40)]);
        host.WaitUntil(() => host.Error.Contains("Bypass requested", StringComparison.Ordinal), "the bypass of the first flow", Wait);
        Thread.Sleep(300);
        var rest = Enumerable.Range(1, BypassedFlowPackets - 1).Select(i => KernelFrames.Udp(net, 41000, 5555, 40 + i)).ToList();
        rest.AddRange(Enumerable.Range(0, OtherFlowPackets).Select(i => KernelFrames.Udp(net, 41001, 5556, 40 + i)));
        net.CreateSender().Send(rest);
        Thread.Sleep(500);

        var stopping = Stopwatch.StartNew();
        host.Signal(SigTerm);
        (int exitCode, string output, string errors) = host.WaitForExit(Wait);
        stopping.Stop();
        log.WriteLine($"stopped {stopping.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {stopping.Elapsed.TotalSeconds:F2} s\n{errors}");
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "an XDP program remained on the interface after SIGTERM");
        string eve = Path.Combine(Logs, "eve.json");
        Assert.EndsWith("\n", File.ReadAllText(eve), StringComparison.Ordinal);
        JsonElement bypassed = EveFlowRecords.ByDestinationPort(eve, 5555).GetProperty("flow");
        Assert.Equal("shutdown", bypassed.GetProperty("reason").GetString());
        Assert.Equal("capture", bypassed.GetProperty("bypass").GetString());
        Assert.Equal(BypassedFlowPackets, bypassed.GetProperty("pkts_toserver").GetInt64());
        Assert.Equal(BypassedFlowPackets - 1, bypassed.GetProperty("bypassed").GetProperty("pkts_toserver").GetInt64());
        JsonElement other = EveFlowRecords.ByDestinationPort(eve, 5556).GetProperty("flow");
        Assert.Equal("shutdown", other.GetProperty("reason").GetString());
        Assert.Equal(OtherFlowPackets, other.GetProperty("pkts_toserver").GetInt64());
    }

    [Fact]
    public void After_sigkill_the_next_start_attaches_and_a_foreign_program_is_refused()
    {
        using (RunningHost killed = Start())
        {
            killed.WaitUntil(() => XdpLinkState.Read(net.HostInterface).Attached, "XDP attached", Wait);
            killed.Signal(SigKill);
            killed.WaitForExit(Wait);
        }

        // The filter was attached through a bpf_link: the kernel detached it with the process.
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "the killed host's XDP program is still attached");
        using (RunningHost next = Start())
        {
            next.WaitUntil(() => XdpLinkState.Read(net.HostInterface).Attached && next.Error.Contains("Capture started", StringComparison.Ordinal), "XDP attached by the next start", Wait);
            next.Signal(SigTerm);
            (int exitCode, string output, string errors) = next.WaitForExit(Wait);
            Assert.True(exitCode == 0, $"exit {exitCode}\n{output}\n{errors}");
        }

        ForeignXdpProgram.AttachGeneric(net.HostInterface);
        uint foreign = XdpLinkState.Read(net.HostInterface).ProgramId;
        using (RunningHost refused = Start())
        {
            (int exitCode, string output, string errors) = refused.WaitForExit(Wait);
            Assert.True(exitCode != 0, $"the host ran beside a foreign XDP program\n{output}\n{errors}");
            Assert.Contains($"('{ForeignXdpProgram.Name}')", errors, StringComparison.Ordinal);
            Assert.Contains("refusing to replace it", errors, StringComparison.Ordinal);
        }

        Assert.Equal(foreign, XdpLinkState.Read(net.HostInterface).ProgramId);
    }

    private RunningHost Start() =>
        XdpBypassHost.Start(net, _work, "signal", "alert udp any any -> any 5555 (msg:\"signal test bypass\"; bypass; sid:9200001; rev:1;)");
}
