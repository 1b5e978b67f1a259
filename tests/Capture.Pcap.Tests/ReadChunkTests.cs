using Capture.Abstractions;
using Capture.Conformance;
using Capture.Pcap.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Pcap.Tests;

/// <summary>
/// Batches point into the chunks the file is read into instead of copying their packets. With a
/// small read buffer the window moves to another chunk every few dozen packets, the batch being
/// filled is carried along (packed, the packets dropped between them left behind), a record larger
/// than a chunk gets one of its own, and a batch takes packets of two files: every packet must still
/// arrive whole, the batches must end where they would if the packets were copied (every
/// <see cref="PacketsPerBatch"/> packets), and a bypass must act at the same defined packet.
/// </summary>
public sealed class ReadChunkTests
{
    private const int PacketsPerBatch = 16;
    private const int BatchCount = 4;
    private const int TriggerFrame = 100;
    private const int LargeFrame = 1234;

    private static readonly FlowTuple Bypassed = FrameBuilder.Flow("192.0.2.1", 5000, "198.51.100.7", 443, 6);
    private static readonly FlowTuple Other = FrameBuilder.Flow("192.0.2.2", 5001, "198.51.100.8", 80, 17);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Packets_read_across_many_chunks_arrive_whole_in_the_same_batches(int millisecondsPerBatch)
    {
        string path = Path.Combine(Path.GetTempPath(), $"read-chunks-{Guid.NewGuid():N}.pcap");
        try
        {
            List<byte[]> frames = Frames(3000, 0);
            await using (FileStream file = File.Create(path))
            {
                PcapFileWriter.WriteFrames(file, frames);
            }

            (List<int> delivered, List<int> batchSizes, long dropped) = await RunAsync(path, isDirectory: false, frames, millisecondsPerBatch);

            // Every third frame is the bypassed flow's; the trigger's batch is 100 / 16 = 6 (0-based),
            // so its packets are dropped from batch 6 + 4 on, as when every packet was copied.
            int firstDropped = ((TriggerFrame / PacketsPerBatch) + BatchCount) * PacketsPerBatch;
            int[] expected = [.. Enumerable.Range(0, frames.Count).Where(i => i < firstDropped || i % 3 != 0)];
            Assert.Equal(expected, delivered);
            Assert.Equal(Enumerable.Range(firstDropped, frames.Count - firstDropped).Count(i => i % 3 == 0), dropped);
            Assert.All(batchSizes.SkipLast(1), size => Assert.Equal(PacketsPerBatch, size));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_batch_takes_packets_of_two_files_of_a_directory()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"read-chunks-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            // 3 files of 700 frames: 700 is no multiple of 16, so batches straddle the files.
            var all = new List<byte[]>();
            for (int f = 0; f < 3; f++)
            {
                List<byte[]> frames = Frames(700, all.Count);
                await using (FileStream file = File.Create(Path.Combine(directory, $"part-{f}.pcap")))
                {
                    PcapFileWriter.WriteFrames(file, frames, firstFrame: all.Count);
                }

                all.AddRange(frames);
            }

            (List<int> delivered, List<int> batchSizes, _) = await RunAsync(directory, isDirectory: true, all, millisecondsPerBatch: 0, bypass: false);

            Assert.Equal(Enumerable.Range(0, all.Count), delivered);
            Assert.All(batchSizes.SkipLast(1), size => Assert.Equal(PacketsPerBatch, size));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Frames of 60 to ~1,450 bytes, every third of the bypassed flow, one of 100,000 bytes (more than a 64 KiB chunk).</summary>
    private static List<byte[]> Frames(int count, int firstTag)
    {
        var frames = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            int tag = firstTag + i;
            int payload = 4 + ((tag * 37) % 1390);
            byte[] frame = tag % 3 == 0 ? FrameBuilder.Build(Bypassed, tag % 2 == 0, payload, tag) : FrameBuilder.Build(Other, true, payload, tag);
            if (tag == LargeFrame)
            {
                // Trailing bytes past the IP packet, as a capture of a padded or merged frame holds.
                Array.Resize(ref frame, 100_000);
                frame.AsSpan(frame.Length - 4).Fill(0xA5);
            }

            frames.Add(frame);
        }

        return frames;
    }

    private static async Task<(List<int> Delivered, List<int> BatchSizes, long Dropped)> RunAsync(
        string path, bool isDirectory, List<byte[]> frames, int millisecondsPerBatch, bool bypass = true)
    {
        PcapFileOptions options = PcapFileOptions.FromConfiguration(PcapHarness.Configuration(("buffer-size", "64kb")));
        await using var source = new PcapCaptureSource(path, isDirectory, options, ChecksumMode.Auto, NullLogger.Instance, BatchCount, PacketsPerBatch);
        IBypassStrategy strategy = source.BypassStrategy!;
        var record = new BypassRecord();
        var delivered = new List<int>();
        var batchSizes = new List<int>();
        await source.StartAsync(CancellationToken.None);
        while (await source.Batches.WaitToReadAsync())
        {
            while (source.Batches.TryRead(out CaptureBatch? batch))
            {
                ReadOnlySpan<byte> buffer = batch.Buffer;
                batchSizes.Add(batch.Packets.Length);
                foreach (PacketRecord packet in batch.Packets)
                {
                    int frame = (int)((packet.TimestampNanoseconds - (PcapFileWriter.BaseSeconds * 1_000_000_000L)) / 1000);
                    Assert.True(buffer.Slice(packet.Offset, packet.CaptureLength).SequenceEqual(frames[frame]), $"frame {frame} arrived altered");
                    delivered.Add(frame);
                    if (bypass && frame == TriggerFrame)
                    {
                        Assert.True(strategy.TryBypass(Bypassed, record).Succeeded);
                    }
                }

                if (millisecondsPerBatch > 0)
                {
                    Thread.Sleep(millisecondsPerBatch);
                }

                batch.Release();
            }
        }

        await source.Batches.Completion;
        long dropped = strategy.GetStatistics().Packets;
        if (bypass)
        {
            strategy.Release(Bypassed, record);
        }

        return (delivered, batchSizes, dropped);
    }
}
