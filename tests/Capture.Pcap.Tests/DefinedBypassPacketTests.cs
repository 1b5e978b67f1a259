using Capture.Abstractions;
using Capture.Conformance;
using Capture.Pcap.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Pcap.Tests;

/// <summary>
/// The software bypass acts at a defined packet: a bypass requested while the engine holds batch
/// <c>B</c> drops the flow's packets from batch <c>B + pool size</c> on, however fast or slow the
/// engine is against the reader.
/// </summary>
public sealed class DefinedBypassPacketTests
{
    private const int Frames = 400;
    private const int PacketsPerBatch = 8;
    private const int BatchCount = 4;
    private const int TriggerFrame = 10;

    private static readonly FlowTuple Bypassed = FrameBuilder.Flow("192.0.2.1", 5000, "198.51.100.7", 443, 6);
    private static readonly FlowTuple Other = FrameBuilder.Flow("192.0.2.2", 5001, "198.51.100.8", 80, 6);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task The_flow_s_packets_are_dropped_from_the_same_batch_whatever_the_engine_s_pace(int millisecondsPerBatch)
    {
        await AssertDefinedBypassAsync(path => RunAsync(path, millisecondsPerBatch));
    }

    [Fact]
    public async Task Read_on_the_engine_s_thread_the_flow_s_packets_are_dropped_from_the_same_batch()
    {
        await AssertDefinedBypassAsync(RunOnWorkerThreadAsync);
    }

    private static async Task AssertDefinedBypassAsync(Func<string, Task<(List<int> Delivered, BypassRecord Record, long Dropped)>> run)
    {
        string path = Path.Combine(Path.GetTempPath(), $"defined-bypass-{Guid.NewGuid():N}.pcap");
        try
        {
            // Even frames belong to the bypassed flow (alternating directions), odd ones to another flow.
            var frames = new List<byte[]>(Frames);
            for (int i = 0; i < Frames; i++)
            {
                frames.Add(i % 2 == 0 ? FrameBuilder.Build(Bypassed, i % 4 == 0, 20, i) : FrameBuilder.Build(Other, true, 20, i));
            }

            await using (FileStream file = File.Create(path))
            {
                PcapFileWriter.WriteFrames(file, frames);
            }

            (List<int> delivered, BypassRecord record, long dropped) = await run(path);

            // The trigger (frame 10) is in batch 2 (frames 8-15): the reader drops the flow's packets
            // from batch 2 + 4 = 6 on. Batches 1-5 hold frames 0-39 whole; after them only the other flow.
            int firstDropped = ((TriggerFrame / PacketsPerBatch) + BatchCount) * PacketsPerBatch;
            int[] expected = [.. Enumerable.Range(0, Frames).Where(i => i < firstDropped || i % 2 == 1)];
            Assert.Equal(expected, delivered);
            long expectedDrops = Enumerable.Range(firstDropped, Frames - firstDropped).Count(i => i % 2 == 0);
            Assert.Equal(expectedDrops, dropped);
            Assert.Equal(expectedDrops, record.PacketsToServer + record.PacketsToClient);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(List<int> Delivered, BypassRecord Record, long Dropped)> RunAsync(string path, int millisecondsPerBatch)
    {
        PcapFileOptions options = PcapFileOptions.FromConfiguration(ConfigNode.CreateMapping());
        await using var source = new PcapCaptureSource(path, isDirectory: false, options, ChecksumMode.Auto, NullLogger.Instance, BatchCount, PacketsPerBatch);
        IBypassStrategy strategy = source.BypassStrategy!;
        var record = new BypassRecord();
        var delivered = new List<int>();
        await source.StartAsync(CancellationToken.None);

        // The engine's side, on one thread per batch as a worker: buffer first, bypass while holding the batch.
        while (await source.Batches.WaitToReadAsync())
        {
            while (source.Batches.TryRead(out CaptureBatch? batch))
            {
                Take(batch, strategy, record, delivered);
                if (millisecondsPerBatch > 0)
                {
                    Thread.Sleep(millisecondsPerBatch);
                }

                batch.Release();
            }
        }

        strategy.Release(Bypassed, record);
        return (delivered, record, strategy.GetStatistics().Packets);
    }

    /// <summary>The same engine side, called back by the reader on its own thread (the single-thread runmode).</summary>
    private static async Task<(List<int> Delivered, BypassRecord Record, long Dropped)> RunOnWorkerThreadAsync(string path)
    {
        PcapFileOptions options = PcapFileOptions.FromConfiguration(ConfigNode.CreateMapping());
        await using var source = new PcapCaptureSource(path, isDirectory: false, options, ChecksumMode.Auto, NullLogger.Instance, BatchCount, PacketsPerBatch);
        IBypassStrategy strategy = source.BypassStrategy!;
        var record = new BypassRecord();
        var delivered = new List<int>();
        Assert.True(source.PrepareWorkerThreadRead());
        await source.StartAsync(CancellationToken.None);
        int readerThread = Environment.CurrentManagedThreadId;
        int callbacks = 0;
        void ProcessOldest()
        {
            Assert.Equal(readerThread, Environment.CurrentManagedThreadId);
            callbacks++;
            Assert.True(source.Batches.TryRead(out CaptureBatch? batch));
            Process(batch);
        }

        void Process(CaptureBatch batch)
        {
            Take(batch, strategy, record, delivered);
            batch.Release();
        }

        source.ReadOnWorkerThread(ProcessOldest);
        Assert.True(callbacks > 0);
        while (source.Batches.TryRead(out CaptureBatch? left))
        {
            Process(left);
        }

        // The reader wrote its last batch and completed the channel before it returned.
        Assert.True(source.Batches.Completion.IsCompletedSuccessfully);

        strategy.Release(Bypassed, record);
        return (delivered, record, strategy.GetStatistics().Packets);
    }

    /// <summary>The engine's side of one batch: buffer first (as a worker takes it), then each packet; the trigger asks for the bypass while the batch is held.</summary>
    private static void Take(CaptureBatch batch, IBypassStrategy strategy, BypassRecord record, List<int> delivered)
    {
        _ = batch.Buffer;
        foreach (PacketRecord packet in batch.Packets)
        {
            int frame = (int)((packet.TimestampNanoseconds - (PcapFileWriter.BaseSeconds * 1_000_000_000L)) / 1000);
            delivered.Add(frame);
            if (frame == TriggerFrame)
            {
                Assert.True(strategy.TryBypass(Bypassed, record).Succeeded);
            }
        }
    }
}
