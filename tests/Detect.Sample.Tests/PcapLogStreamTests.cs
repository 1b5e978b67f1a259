using Capture.Abstractions;
using Detect.Sample.Output;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detect.Sample.Tests;

/// <summary>pcap-log's per-worker side: what a packet costs the worker, and what the writer makes of it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PcapLogStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pcap-log-stream-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Queuing_a_packet_allocates_nothing_and_the_writer_writes_every_one()
    {
        using LogDirectory logs = LogDirectory.Open(_directory);
        var options = new PcapLogOptions { Limit = 1L << 30 };
        var stream = new PcapLogStream(options, logs, 0, shared: true, () => { }, waitWhenBehind: false, NullLogger.Instance);
        byte[] frame = new byte[100];
        const long start = 1_700_000_000_123_456_789;

        // The first packet makes the chunk and names the file.
        string first = stream.Write(start, frame, 120, LinkType.Ethernet)!;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < 5000; i++)
        {
            frame[0] = (byte)i;
            _ = stream.Write(start + i, frame, 120, LinkType.Ethernet);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        Assert.True(stream.Drain());
        stream.Close();
        Assert.Equal(Path.Combine(_directory, "log.pcap.1700000000"), first);
        Assert.Equal(5000, stream.Written);
        // 24-byte file header, then per packet a 16-byte record header and the 100 bytes.
        Assert.Equal(24 + (5000 * 116), new FileInfo(first).Length);
    }

    [Fact]
    public void A_live_capture_drops_what_the_writer_cannot_take_and_a_capture_file_waits_for_it()
    {
        using LogDirectory logs = LogDirectory.Open(_directory);
        var options = new PcapLogOptions { Limit = 1L << 30 };
        byte[] frame = new byte[1000];

        // Nothing drains: eight chunks of 1,024 records (1,000 bytes + header, rounded to 1,024) fill, the rest is dropped.
        var live = new PcapLogStream(options, logs, 1, shared: false, () => { }, waitWhenBehind: false, NullLogger.Instance);
        for (int i = 0; i < 20_000; i++)
        {
            _ = live.Write(1_700_000_000_000_000_000 + i, frame, frame.Length, LinkType.Ethernet);
        }

        Assert.Equal(20_000 - (PcapLogStream.MaxChunks * 1024), live.Dropped);
        live.Close();

        // A writer thread drains as it can; the worker waits for it and loses nothing.
        var file = new PcapLogStream(options, logs, 2, shared: false, () => { }, waitWhenBehind: true, NullLogger.Instance);
        bool done = false;
        var writer = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                _ = file.Drain();
            }

            _ = file.Drain();
        });
        writer.Start();
        for (int i = 0; i < 20_000; i++)
        {
            _ = file.Write(1_700_000_000_000_000_000 + i, frame, frame.Length, LinkType.Ethernet);
        }

        Volatile.Write(ref done, true);
        writer.Join();
        file.Close();
        Assert.Equal(0, file.Dropped);
        Assert.Equal(20_000, file.Written);
    }
}
