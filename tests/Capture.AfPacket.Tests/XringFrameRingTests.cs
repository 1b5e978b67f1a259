using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Kernel;

namespace Capture.AfPacket.Tests;

/// <summary>The TPACKET_V2 frame ring (<c>tpacket-v3: no</c>) on a real veth pair.</summary>
public sealed class XringFrameRingTests(XringFrameRingNet net) : IClassFixture<XringFrameRingNet>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Frame_ring_receives_exactly_the_frames_sent_with_lengths_and_vlan_tags() =>
        RingDelivery.ReceivesExactlyTheFramesSentAsync(net, ("tpacket-v3", "no"), ("ring-size", "1024"));

    [Fact]
    public async Task Runs_held_by_the_engine_and_given_back_out_of_order_free_their_frames_for_what_follows()
    {
        // 16 frames of 2 KiB in 4 KiB blocks; three rounds of 12 frames: every frame is used twice over.
        const int Round = 12;
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("tpacket-v3", "no"), ("v2-block-size", "4096"), ("ring-size", "16"), ("bpf-filter", "udp and dst port 7500")));
        try
        {
            await AfPacketTestConfiguration.StartAllAsync(sources);
            var received = new List<byte[]>();
            for (int round = 0; round < 3; round++)
            {
                var frames = Enumerable.Range(0, Round).Select(i => KernelFrames.Udp(net, (ushort)(5500 + round), 7500, 20 + i)).ToList();
                net.CreateSender().Send(frames);

                // Hold every batch of the round (the capture thread waits for frames to come back), then give them back newest first.
                var held = new List<CaptureBatch>();
                int packets = 0;
                using var timeout = new CancellationTokenSource(Patience);
                while (packets < Round)
                {
                    CaptureBatch batch = await sources[0].Batches.ReadAsync(timeout.Token);
                    held.Add(batch);
                    foreach (ref readonly PacketRecord record in batch.Packets)
                    {
                        received.Add(FrameCollector.CopyFrame(batch, record));
                        packets++;
                    }
                }

                for (int i = held.Count - 1; i >= 0; i--)
                {
                    held[i].Release();
                }
            }

            Assert.Equal(3 * Round, received.Count);
            Assert.Equal(3 * Round, received.Select(KernelFrames.Key).Distinct(StringComparer.Ordinal).Count());
            CaptureStatistics statistics = sources[0].GetStatistics();
            Assert.Equal(0, statistics.KernelDrops);
            Assert.Equal(0, statistics.Errors);
            Assert.Equal(3 * Round, statistics.PacketsReceived);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }
    }

    [Fact]
    public Task Packets_the_full_frame_ring_could_not_take_are_counted_as_kernel_drops_exactly() =>
        RingOverflow.DropsAreCountedExactlyAsync(net, ("tpacket-v3", "no"), ("v2-block-size", "4096"), ("ring-size", "8"));

    [Fact]
    public Task Emergency_flush_hands_back_frames_written_while_losing_and_counts_them() =>
        RingOverflow.EmergencyFlushIsCountedAsync(net, ("tpacket-v3", "no"), ("v2-block-size", "4096"), ("ring-size", "8"));

    [Fact]
    public async Task A_reader_waiting_on_a_frame_ring_resumes_on_the_ring_thread()
    {
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("tpacket-v3", "no"), ("ring-size", "256"), ("bpf-filter", "udp and dst port 7600")));
        try
        {
            await AfPacketTestConfiguration.StartAllAsync(sources);
            Task<bool> waiting = sources[0].Batches.WaitToReadAsync().AsTask();
            Assert.False(waiting.IsCompleted, "a batch was there before anything was sent");
            Task<string?> resumedOn = ResumedOnAsync(waiting);
            net.CreateSender().Send([KernelFrames.Udp(net, 5600, 7600, 30)]);

            // No thread-pool hop between the ring and the engine: the continuation ran inside the ring thread's hand-over.
            Assert.Equal($"af-packet {sources[0].Name}", await resumedOn.WaitAsync(Patience));
            Assert.True(sources[0].Batches.TryRead(out CaptureBatch? batch));
            Assert.Equal(1, batch.Packets.Length);
            batch.Release();
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }

        static async Task<string?> ResumedOnAsync(Task<bool> waiting)
        {
            await waiting.ConfigureAwait(false);
            return Thread.CurrentThread.Name;
        }
    }

    [Fact]
    public async Task With_bypass_the_default_frame_ring_counts_ring_plus_xdp_dropped_packets_exactly()
    {
        const int PerPhase = 20;
        IReadOnlyList<ICaptureSource> sources = AfPacketTestConfiguration.CreateSources(AfPacketTestConfiguration.Root(
            net.HostInterface, ("threads", "1"), ("ring-size", "1024"), ("bypass", "yes"), ("xdp-mode", "driver")));
        try
        {
            IBypassStrategy strategy = sources[0].BypassStrategy ?? throw new InvalidOperationException("bypass: yes gave no strategy");
            FlowTuple bypassed = FrameBuilder.Flow("10.79.0.1", 31000, "10.79.0.2", 80, 17);
            FlowTuple other = FrameBuilder.Flow("10.79.0.1", 31001, "10.79.0.2", 80, 17);
            int tag = 0;
            List<byte[]> Phase() => [.. Enumerable.Range(0, PerPhase).SelectMany(p => new[] { FrameBuilder.Build(bypassed, true, 40 + p, tag++), FrameBuilder.Build(other, true, 40 + p, tag++) })];

            await AfPacketTestConfiguration.StartAllAsync(sources);
            var collector = new FrameCollector(sources);
            List<byte[]> first = Phase();
            net.CreateSender().Send(first);
            await collector.WaitForAsync(frames => frames.Count(f => IsOf(f, first)) >= first.Count, "the first phase", Patience);

            var record = new BypassRecord();
            BypassOutcome outcome = strategy.TryBypass(bypassed, record);
            Assert.True(outcome.Succeeded, $"TryBypass: {outcome.Failure} {outcome.Detail}");
            List<byte[]> second = Phase();
            byte[] marker = FrameBuilder.Build(FrameBuilder.Flow("10.80.0.1", 9, "10.80.0.2", 9, 17), true, 20, 1_000_000);
            net.CreateSender().Send([.. second, marker]);
            await collector.WaitForAsync(frames => frames.Any(f => f.Data.AsSpan().SequenceEqual(marker)), "the marker sent after both phases", Patience);

            Assert.True(strategy.SeenSince(bypassed, record, 0), "SeenSince saw nothing though packets were dropped");
            strategy.Release(bypassed, record);
            int ringOfSecond = collector.Frames.Count(f => IsOf(f, second));
            Assert.Equal(PerPhase, ringOfSecond); // the other flow's half; the bypassed flow's never reached user space
            Assert.Equal(PerPhase, record.PacketsToServer + record.PacketsToClient);
            Assert.Equal(first.Count + second.Count, collector.Frames.Count(f => IsOf(f, first) || IsOf(f, second)) + record.PacketsToServer + record.PacketsToClient);
            Assert.Equal(0, sources[0].GetStatistics().KernelDrops);
        }
        finally
        {
            await AfPacketTestConfiguration.DisposeAllAsync(sources);
        }

        static bool IsOf(ReceivedFrame frame, List<byte[]> phase) => phase.Exists(sent => frame.Data.AsSpan().SequenceEqual(sent));
    }
}
