using Detect.Sample.Detection;
using Detect.Sample.Hosting;
using Detect.Sample.Output;
using FlowEngine.Configuration;

namespace Detect.Sample.Tests;

public sealed class PacketPathWarmUpTests
{
    [Fact]
    public void Warm_up_runs_detection_to_a_bypass_every_round_and_leaves_no_file()
    {
        string[] before = WarmUpDirectories();

        long bypasses = PacketPathWarmUp.Run(new FlowEngineOptions(), new DetectionOptions(), new EveWriterOptions { Alert = true, Flow = true }, out int passes, TimeSpan.FromMilliseconds(20));

        // One rule bypass per round: the UDP/IPv4 flow matched the warm-up's rule, so decode, the
        // flow table, detection and the bypass request all ran.
        Assert.InRange(passes, 2, PacketPathWarmUp.MaxPasses);
        Assert.Equal(passes * PacketPathWarmUp.Rounds, bypasses);
        Assert.Equal(before, WarmUpDirectories());
    }

    // This process's only: hosts that other test projects run live at the same time warm up too.
    private static string[] WarmUpDirectories() => [.. Directory.GetDirectories(Path.GetTempPath(), PacketPathWarmUp.DirectoryPrefix + "*").Order(StringComparer.Ordinal)];
}
