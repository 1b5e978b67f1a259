using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Tests.Flows;

namespace FlowEngine.Tests.Pipeline;

/// <summary>The public one-thread worker the benchmarks drive: the engine's worker, fed by its caller.</summary>
public class BatchWorkerTests
{
    private const long Second = 1_000_000_000;
    private const long T0 = 1_700_000_000L * Second;

    [Fact]
    public async Task Batches_are_decoded_and_tracked_the_manager_runs_on_capture_time_and_EndAll_ends_the_rest()
    {
        RecordingSink sink = new();
        BatchWorker worker = new("cap0", new FlowEngineOptions(), sink);

        // A DNS query answered (established: 300 s) and one unanswered (new: 30 s) at 0 s; a third flow at 40 s.
        List<CaptureBatch> batches = await BatchesOf(
            [
                TestFrames.Udp(T0, "10.9.0.1", 4000, "10.9.0.53", 53, 20),
                TestFrames.Udp(T0 + 1, "10.9.0.53", 53, "10.9.0.1", 4000, 40),
                TestFrames.Udp(T0 + 2, "10.9.0.2", 4001, "10.9.0.53", 53, 20),
            ],
            [TestFrames.Udp(T0 + (40 * Second), "10.9.0.3", 4002, "10.9.0.53", 53, 20)]);

        foreach (CaptureBatch batch in batches)
        {
            worker.Process(batch);
            batch.Release();
        }

        Assert.Equal(4, worker.DecoderCounters.Packets);
        Assert.Equal(3, worker.FlowsCreated);
        FlowEndEvent timedOut = Assert.Single(sink.Events);
        Assert.Equal(FlowEndReason.Timeout, timedOut.Reason);
        Assert.Equal(TestFlows.Address("10.9.0.2"), timedOut.Tuple.Source);
        Assert.Equal("cap0", timedOut.InterfaceName);
        Assert.Equal(2, worker.ActiveFlows);

        worker.EndAll();
        Assert.Equal(3, sink.Events.Count);
        Assert.Equal(2, sink.Events.Count(e => e.Reason == FlowEndReason.Shutdown));
        Assert.Equal(0, worker.ActiveFlows);
    }

    [Fact]
    public async Task After_EndAll_a_capture_that_starts_earlier_runs_the_manager_on_its_own_clock()
    {
        RecordingSink sink = new();
        BatchWorker worker = new("cap0", new FlowEngineOptions(), sink);
        foreach (CaptureBatch batch in await BatchesOf([TestFrames.Udp(T0 + (500 * Second), "10.9.1.1", 4000, "10.9.1.53", 53)]))
        {
            worker.Process(batch);
            batch.Release();
        }

        worker.EndAll();

        // The next capture's time starts 500 s earlier; its flow of 0 s times out at 40 s of its own time.
        foreach (CaptureBatch batch in await BatchesOf(
            [TestFrames.Udp(T0, "10.9.1.2", 4000, "10.9.1.53", 53)],
            [TestFrames.Udp(T0 + (40 * Second), "10.9.1.3", 4000, "10.9.1.53", 53)]))
        {
            worker.Process(batch);
            batch.Release();
        }

        FlowEndEvent timedOut = Assert.Single(sink.Events, e => e.Reason == FlowEndReason.Timeout);
        Assert.Equal(TestFlows.Address("10.9.1.2"), timedOut.Tuple.Source);
    }

    [Fact]
    public void Track_takes_only_a_layer_with_a_flow_key()
    {
        BatchWorker worker = new("cap0", new FlowEngineOptions(), new RecordingSink(), maxFlows: 16);
        FlowEngine.Decode.PacketLayer keyed = TestFlows.Udp("10.9.2.1", 1, "10.9.2.2", 2);
        worker.Track(in keyed, T0, 60);
        Assert.Equal(1, worker.ActiveFlows);
        FlowEngine.Decode.PacketLayer unkeyed = default;
        Assert.Throws<ArgumentException>(() => worker.Track(in unkeyed, T0, 60));
    }

    /// <summary>One batch per list, in order, from an offline in-memory capture.</summary>
    private static async Task<List<CaptureBatch>> BatchesOf(params TestFrame[][] batches)
    {
        List<CaptureBatch> result = [];
        foreach (TestFrame[] frames in batches)
        {
            MemoryCaptureSource source = new("cap0", CaptureCapabilities.Offline, null, batchSize: frames.Length);
            source.Add(frames);
            source.Complete();
            await source.StartAsync(CancellationToken.None);
            await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
            {
                result.Add(batch);
            }
        }

        return result;
    }
}
