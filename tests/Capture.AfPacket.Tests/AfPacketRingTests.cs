using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

public sealed class AfPacketRingTests(AfPacketRingNet net) : IClassFixture<AfPacketRingNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Ring_receives_exactly_the_frames_sent_with_lengths_and_vlan_tags() =>
        RingDelivery.ReceivesExactlyTheFramesSentAsync(net, ("block-size", "32768"), ("ring-size", "512"), ("block-timeout", "10"));

    [Fact]
    public async Task Bpf_filter_delivers_only_matching_frames()
    {
        var rejected = Enumerable.Range(0, 100).Select(i => KernelFrames.Udp(net, 5100, 7001, 20 + i)).ToList();
        var accepted = Enumerable.Range(0, 100).Select(i => KernelFrames.Udp(net, 5100, 7000, 20 + i)).ToList();
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("block-size", "32768"), ("ring-size", "512"), ("bpf-filter", "udp and dst port 7000")));
        try
        {
            var collector = new FrameCollector(sources);
            await AfPacketTestConfiguration.StartAllAsync(sources);

            // The rejected frames go first: once every accepted one is in, any rejected one would have been too.
            net.CreateSender().Send([.. rejected, .. accepted]);
            await collector.WaitForAsync(frames => frames.Count >= accepted.Count, $"{accepted.Count} frames to port 7000", Patience);
            await Task.Delay(100);
            IReadOnlyList<ReceivedFrame> received = collector.Frames;
            Assert.All(received, frame => Assert.Equal(7000, KernelFrames.DestinationPort(frame.Data)));
            Assert.Equal(accepted.Count, received.Count);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public void Bpf_filter_that_does_not_compile_names_the_key_and_libpcaps_reason()
    {
        ConfigurationException error = Assert.Throws<ConfigurationException>(() => AfPacketTestConfiguration.CreateSources(
            AfPacketTestConfiguration.Root(net.HostInterface, ("bpf-filter", "udp and port banana"))));
        Assert.Contains("bpf-filter", error.Message, StringComparison.Ordinal);
        Assert.Contains("banana", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_interface_fails_at_start_naming_it_and_the_errno_text()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root("afpnosuch0", ("threads", "1")));
        try
        {
            CaptureException error = await Assert.ThrowsAsync<CaptureException>(() => sources[0].StartAsync(CancellationToken.None));
            Assert.Contains("afpnosuch0", error.Message, StringComparison.Ordinal);
            Assert.Contains("No such device", error.Message, StringComparison.Ordinal);
            Assert.True(sources[0].Batches.Completion.IsCompleted, "the channel of a source that failed to start stays open");
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public async Task Emergency_flush_and_other_options_open_and_capture()
    {
        var sent = Enumerable.Range(0, 50).Select(i => KernelFrames.Udp(net, 5200, 6000, 30 + i)).ToList();
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface,
            ("threads", "1"), ("use-emergency-flush", "yes"), ("mmap-locked", "yes"), ("buffer-size", "1mb"), ("disable-promisc", "yes"), ("checksum-checks", "no")));
        try
        {
            var collector = new FrameCollector(sources);
            await AfPacketTestConfiguration.StartAllAsync(sources);
            net.CreateSender().Send(sent);
            await collector.WaitForAsync(frames => frames.Count(f => KernelFrames.SourcePort(f.Data) == 5200) >= sent.Count, "50 frames", Patience);
            Assert.All(collector.Frames, frame => Assert.True((frame.Record.Flags & PacketFlags.ChecksumVerified) != 0, "checksum-checks: no leaves packets to be validated"));
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public Task Packets_the_full_ring_could_not_take_are_counted_as_kernel_drops_exactly() =>
        RingOverflow.DropsAreCountedExactlyAsync(net, ("block-size", "4096"), ("ring-size", "8"));

    [Fact]
    public Task Emergency_flush_hands_back_blocks_written_while_losing_and_counts_them() =>
        RingOverflow.EmergencyFlushIsCountedAsync(net, ("block-size", "4096"), ("ring-size", "8"));
}
