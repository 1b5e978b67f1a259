using Capture.Abstractions;
using FlowEngine.Configuration;
using FlowEngine.Flows;
using FlowEngine.Output;
using FlowEngine.Pipeline;
using FlowEngine.Storage;
using FlowEngine.Tests.Flows;
using Microsoft.Extensions.Logging.Abstractions;
using static FlowEngine.Tests.Pipeline.TestFrames;

namespace FlowEngine.Tests.Pipeline;

/// <summary>One offline source read by one worker runs on one thread and gives the flows a reader thread gives.</summary>
public sealed class WorkerThreadReadTests
{
    private const long Ms = 1_000_000;

    private static List<TestFrame> Frames()
    {
        long t0 = TestFlows.T0;
        List<TestFrame> frames = [];
        for (int i = 0; i < 60; i++)
        {
            long t = t0 + (i * Ms);
            int flow = i % 5;
            frames.Add(i % 2 == 0
                ? Tcp(t, "10.8.0.1", (ushort)(41000 + flow), "10.8.0.2", 80, i < 5 ? (byte)0x02 : (byte)0x18, 40)
                : Udp(t, "10.8.0.3", (ushort)(5000 + flow), "10.8.0.4", 53, 20 + i));
        }

        // A flow that times out on the capture's clock while the others go on.
        frames.Add(Udp(t0 + (400_000 * Ms), "10.8.0.9", 7000, "10.8.0.10", 7001, 10));
        return frames;
    }

    private static string Describe(FlowEndEvent e) =>
        $"{e.Tuple.Source.ToIPAddress(e.Tuple.IsIPv6)}:{e.Tuple.SourcePort}>{e.Tuple.Destination.ToIPAddress(e.Tuple.IsIPv6)}:{e.Tuple.DestinationPort}/{e.Tuple.Protocol} {e.Reason} {e.PacketsToServer}/{e.PacketsToClient} {e.BytesToServer}/{e.BytesToClient} {e.StateName}";

    [Fact]
    public async Task The_worker_reads_the_capture_itself_and_ends_the_same_flows_as_with_a_reader_thread()
    {
        List<TestFrame> frames = Frames();

        var threaded = new MemoryCaptureSource("mem", CaptureCapabilities.Offline, strategy: null);
        threaded.Add(frames);
        threaded.Complete();
        RecordingSink threadedSink = new();
        await new CaptureEngine(new FlowEngineOptions(), new FlowStorageRegistry(), threadedSink, null, NullLoggerFactory.Instance).RunAsync([threaded], CancellationToken.None);

        var inline = new WorkerThreadCaptureSource(frames);
        RecordingSink inlineSink = new();
        var engine = new CaptureEngine(new FlowEngineOptions(), new FlowStorageRegistry(), inlineSink, null, NullLoggerFactory.Instance);
        await engine.RunAsync([inline], CancellationToken.None);

        Assert.NotEqual(0, inline.ReaderThread);
        Assert.Equal([inline.ReaderThread], inline.ReleaseThreads);
        Assert.Equal(3, inline.MostOut);
        Assert.Equal(frames.Count, engine.GetStatistics().Get("decoder.pkts"));
        Assert.Equal(threadedSink.Events.Select(Describe).Order(StringComparer.Ordinal), inlineSink.Events.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Contains(inlineSink.Events, e => e.Reason == FlowEndReason.Timeout);
    }

    [Fact]
    public async Task A_worker_that_fails_stops_the_read_and_the_engine_reports_it()
    {
        var source = new WorkerThreadCaptureSource(Frames());
        var engine = new CaptureEngine(new FlowEngineOptions(), new FlowStorageRegistry(), new RecordingSink(), _ => new FailingInspector(10), NullLoggerFactory.Instance);
        CaptureException failure = await Assert.ThrowsAsync<CaptureException>(() => engine.RunAsync([source], CancellationToken.None));
        Assert.Contains("inspector failed on purpose", failure.Message, StringComparison.Ordinal);
        Assert.True(source.Batches.Completion.IsCompleted);
    }

    private sealed class FailingInspector(int after) : IPacketInspector
    {
        private int _seen;

        public void Inspect(ref PacketContext context)
        {
            if (++_seen == after)
            {
                throw new InvalidOperationException("inspector failed on purpose");
            }
        }
    }
}
