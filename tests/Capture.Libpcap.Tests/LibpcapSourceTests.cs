using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Conformance;
using Capture.Libpcap.Sources;
using Capture.Tests.Kernel;

namespace Capture.Libpcap.Tests;

/// <summary>Live sources on the veth, on <c>any</c>, and what an operator sees when something is wrong.</summary>
public sealed class LibpcapSourceTests(LibpcapSourceNet net) : IClassFixture<LibpcapSourceNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_any_device_delivers_the_veth_traffic_as_linux_cooked_frames()
    {
        ConfigNode root = LibpcapTestConfiguration.Root(("default", [("bpf-filter", "udp and port 7400")]));
        IReadOnlyList<ICaptureSource> sources = LibpcapTestConfiguration.CreateSources(root, "any");
        try
        {
            var collector = new FrameCollector(sources);
            await sources[0].StartAsync(CancellationToken.None);
            net.CreateSender().Send([.. Enumerable.Range(0, 20).Select(i => KernelFrames.Udp(net, 7401, 7400, 20 + i))]);
            await collector.WaitForAsync(received => received.Count >= 20, "20 frames on any", Patience);
            await Task.Delay(200);

            Assert.Equal(20, collector.Frames.Count);
            Assert.All(collector.Frames, frame =>
            {
                Assert.Equal(LinkType.LinuxSll, frame.Record.LinkType);
                // The cooked header's protocol field (bytes 14-15) carries the EtherType: IPv4.
                Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(frame.Data.AsSpan(14)));
            });
        }
        finally
        {
            await sources[0].DisposeAsync();
        }

        // Folded about once a second while running, and at the stop.
        (long received, long dropped, _) = ((LibpcapCaptureSource)sources[0]).GetLibpcapStatistics();
        Assert.True(received >= 20, $"ps_recv {received}");
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void A_device_libpcap_does_not_list_is_refused_naming_the_ones_it_does()
    {
        ConfigNode root = LibpcapTestConfiguration.Root();
        CaptureException error = Assert.Throws<CaptureException>(() => LibpcapTestConfiguration.CreateSources(root, "lpnosuch0"));
        Assert.Contains("no interface 'lpnosuch0' that libpcap can open", error.Message, StringComparison.Ordinal);
        Assert.Contains(net.HostInterface, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_bpf_filter_fails_the_start_naming_the_key_and_the_expression()
    {
        ConfigNode root = LibpcapTestConfiguration.Root((net.HostInterface, [("bpf-filter", "udp and prot 7")]));
        IReadOnlyList<ICaptureSource> sources = LibpcapTestConfiguration.CreateSources(root, null);
        await using ICaptureSource source = sources[0];
        CaptureException error = await Assert.ThrowsAsync<CaptureException>(() => source.StartAsync(CancellationToken.None));
        Assert.Contains("bpf-filter 'udp and prot 7' (test.yaml:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_interface_that_vanishes_is_counted_and_capture_resumes_when_it_is_back()
    {
        ConfigNode root = LibpcapTestConfiguration.Root();
        IReadOnlyList<ICaptureSource> sources = LibpcapTestConfiguration.CreateSources(root, net.HostInterface);
        ICaptureSource source = sources[0];
        try
        {
            var collector = new FrameCollector(sources);
            await source.StartAsync(CancellationToken.None);
            await SendAndWaitAsync(collector, 7500);

            IpCommand.Run("link", "del", net.HostInterface);
            await WaitUntilAsync(() => source.GetStatistics().Errors >= 1, "an error counted for the interface vanishing");
            net.RecreatePair();

            // The source opens the interface again about once a second: probe until a frame arrives.
            await WaitUntilAsync(
                () =>
                {
                    net.CreateSender().Send([KernelFrames.Udp(net, 7599, 9000, 20)]);
                    Thread.Sleep(100);
                    return collector.Frames.Any(f => KernelFrames.SourcePort(f.Data) == 7599);
                },
                "capture to resume on the recreated interface");
            await SendAndWaitAsync(collector, 7501);
            Assert.False(collector.Completion.IsCompleted, "the channel completed: the vanishing ended the capture");
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    private async Task SendAndWaitAsync(FrameCollector collector, ushort port)
    {
        var frames = Enumerable.Range(0, 40).Select(i => KernelFrames.Udp(net, port, 9000, 20 + i)).ToList();
        net.CreateSender().Send(frames);
        await collector.WaitForAsync(received => received.Count(f => KernelFrames.SourcePort(f.Data) == port) >= frames.Count, $"40 frames from port {port}", Patience);
        await Task.Delay(100);
        Assert.Equal(frames.Count, collector.Frames.Count(f => KernelFrames.SourcePort(f.Data) == port));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Patience.TotalSeconds:0} s for {what}");
            }

            await Task.Delay(50);
        }
    }
}
