using Capture.Abstractions;
using Capture.Tests.Kernel;
using Xunit.Abstractions;

namespace Capture.Netronome.Tests;

/// <summary>A veth cannot offload: the refusal says where, why, and what would work; nothing is left behind.</summary>
public sealed class HardwareRefusalTests(HardwareRefusalNet net, ITestOutputHelper output) : IClassFixture<HardwareRefusalNet>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hw_mode_on_a_veth_is_refused_naming_interface_driver_kernel_reason_and_the_modes_that_work(bool explicitMode)
    {
        (string Key, string Value)[] entry = TestConfig.Emulated(net.HostInterface, threads: 1, mode: "hw");
        if (!explicitMode)
        {
            // xdp-mode left out: this plugin offloads by default.
            entry = [.. entry.Where(e => !string.Equals(e.Key, "xdp-mode", StringComparison.Ordinal))];
        }

        using var harness = new PluginHarness(TestConfig.Section(entry));
        CaptureException refused = Assert.Throws<CaptureException>(() => harness.CreateSources());
        string message = refused.Message;
        output.WriteLine(message);
        Assert.Contains(net.HostInterface, message, StringComparison.Ordinal);
        Assert.Contains("driver 'veth'", message, StringComparison.Ordinal);
        Assert.Contains("virtual device", message, StringComparison.Ordinal);
        Assert.Contains("xdp-mode: hw", message, StringComparison.Ordinal);
        Assert.Matches(@"\(errno \d+\)", message);
        Assert.Contains("xdp-mode: driver or xdp-mode: soft", message, StringComparison.Ordinal);
        Assert.Contains($"{TestConfig.File}:3", message, StringComparison.Ordinal);
        Assert.False(XdpLinkState.Read(net.HostInterface).Attached, "a refused offload left an XDP program attached");
        Assert.False(Directory.Exists($"/sys/fs/bpf/capture/{net.HostInterface}"), "a refused offload left pins behind");
    }
}
