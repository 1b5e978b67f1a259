using Capture.Abstractions;
using Capture.Conformance;

namespace Capture.Pcap.Tests;

/// <summary>Files written here byte by byte: pcapng in both byte orders, timestamp resolutions, pcap variants, directories.</summary>
public sealed class FileFormatTests : IDisposable
{
    private static readonly FlowTuple Flow = FrameBuilder.Flow("10.1.1.1", 1000, "10.1.1.2", 2000, 17);
    private readonly string _directory = Directory.CreateTempSubdirectory("pcap-formats-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pcapng_sections_interfaces_resolutions_and_packet_blocks_in_either_byte_order(bool bigEndian)
    {
        byte[] first = FrameBuilder.Build(Flow, true, 33, 1);
        byte[] second = FrameBuilder.Build(Flow, false, 70, 2);
        using var file = new MemoryStream();
        file.Write(PcapFileWriter.SectionHeader(bigEndian));
        file.Write(PcapFileWriter.InterfaceDescription(1, 9, bigEndian));      // nanoseconds
        file.Write(PcapFileWriter.InterfaceDescription(101, 0x80 | 20, bigEndian)); // 2^-20 seconds
        file.Write(PcapFileWriter.OtherBlock(0x00000bad, 37, bigEndian));
        file.Write(PcapFileWriter.EnhancedPacket(0, 1_700_000_000_123_456_789UL, first, bigEndian));
        file.Write(PcapFileWriter.EnhancedPacket(1, (1_700_000_001UL << 20) + (1UL << 19), second.AsSpan(14), bigEndian));
        file.Write(PcapFileWriter.SimplePacket(first, bigEndian));

        // A second section in the other byte order resets the interfaces.
        file.Write(PcapFileWriter.SectionHeader(!bigEndian));
        file.Write(PcapFileWriter.InterfaceDescription(113, 3, !bigEndian));   // milliseconds
        file.Write(PcapFileWriter.EnhancedPacket(0, 1_700_000_002_500UL, second, !bigEndian));
        string path = Path.Combine(_directory, "test.pcapng");
        await File.WriteAllBytesAsync(path, file.ToArray());

        await using ICaptureSource source = PcapHarness.Open(path);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(4, result.Packets.Count);
        Assert.Equal((LinkType.Ethernet, (ushort)0, 1_700_000_000_123_456_789L), Describe(result.Packets[0].Record));
        Assert.Equal((LinkType.Raw, (ushort)1, 1_700_000_001_500_000_000L), Describe(result.Packets[1].Record));
        Assert.Equal(second.AsSpan(14).ToArray(), result.Packets[1].Data);

        // A simple packet block has no timestamp: it keeps the previous packet's.
        Assert.Equal((LinkType.Ethernet, (ushort)0, 1_700_000_001_500_000_000L), Describe(result.Packets[2].Record));
        Assert.Equal(first, result.Packets[2].Data);
        Assert.Equal((LinkType.LinuxSll, (ushort)0, 1_700_000_002_500_000_000L), Describe(result.Packets[3].Record));
        Assert.Equal(0, result.Statistics.Errors);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Classic_pcap_in_both_byte_orders_and_both_resolutions(bool bigEndian, bool nanoseconds)
    {
        byte[] frame = FrameBuilder.Build(Flow, true, 50, 7);
        using var file = new MemoryStream();
        file.Write(PcapFileWriter.Header(1, nanoseconds, bigEndian));
        file.Write(PcapFileWriter.Record(1_700_000_000, 123_456, frame, originalLength: frame.Length + 100, bigEndian: bigEndian));
        string path = Path.Combine(_directory, "test.pcap");
        await File.WriteAllBytesAsync(path, file.ToArray());

        await using ICaptureSource source = PcapHarness.Open(path);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        PacketRecord record = Assert.Single(result.Packets).Record;
        Assert.Equal(1_700_000_000_000_000_000L + (nanoseconds ? 123_456 : 123_456_000), record.TimestampNanoseconds);
        Assert.Equal(frame.Length, record.CaptureLength);
        Assert.Equal(frame.Length + 100, record.OriginalLength);
        Assert.True((record.Flags & PacketFlags.Truncated) != 0);
        Assert.Equal(frame, result.Packets[0].Data);
        Assert.Equal(frame.Length + 100, result.Statistics.BytesReceived);
    }

    [Fact]
    public async Task A_directory_is_read_in_name_order_as_one_source_skipping_other_files()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(30, seed: 9);
        await WritePcapAsync("b.pcap", frames.Take(10).ToList(), 0);
        await WritePcapAsync("a.pcap", frames.Skip(10).Take(10).ToList(), 10);
        await using (FileStream pcapng = File.Create(Path.Combine(_directory, "c.pcapng")))
        {
            pcapng.Write(PcapFileWriter.SectionHeader(bigEndian: false));
            pcapng.Write(PcapFileWriter.InterfaceDescription(1, 6, bigEndian: false));
            for (int i = 20; i < 30; i++)
            {
                pcapng.Write(PcapFileWriter.EnhancedPacket(0, (ulong)((PcapFileWriter.BaseSeconds * 1_000_000) + i), frames[i], bigEndian: false));
            }
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "README.txt"), "captures of the test");

        await using ICaptureSource source = PcapHarness.Open(_directory);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        byte[][] expected = [.. frames.Skip(10).Take(10), .. frames.Take(10), .. frames.Skip(20)];
        Assert.Equal(expected.Length, result.Packets.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], result.Packets[i].Data);
        }

        Assert.Equal(30, result.Statistics.PacketsReceived);
        Assert.Equal(_directory, source.Name);
    }

    [Fact]
    public async Task A_damaged_file_of_a_directory_is_counted_and_the_next_file_still_read()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(4, seed: 10);
        await WritePcapAsync("1.pcap", frames.Take(2).ToList(), 0);
        byte[] bad = PcapFileWriter.Header();
        bad[4] = 9; // version 9.4
        await File.WriteAllBytesAsync(Path.Combine(_directory, "2.pcap"), bad);
        await WritePcapAsync("3.pcap", frames.Skip(2).ToList(), 2);

        var loggers = new RecordingLoggerFactory();
        await using ICaptureSource source = PcapHarness.Open(_directory, loggers: loggers);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(4, result.Packets.Count);
        Assert.Equal(1, result.Statistics.Errors);
        Assert.Contains(loggers.Messages, m => m.Message.Contains("2.pcap", StringComparison.Ordinal) && m.Message.Contains("version 9.4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_directory_without_captures_fails_naming_it()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "README.txt"), "nothing here");
        await using ICaptureSource source = PcapHarness.Open(_directory);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        CaptureException failure = Assert.IsType<CaptureException>(result.Failure);
        Assert.Contains(_directory, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_batches_are_delivered_from_the_pool_without_losing_a_packet()
    {
        IReadOnlyList<byte[]> frames = FrameBuilder.MixedTraffic(5000, seed: 11);
        string path = await WritePcapAsync("big.pcap", frames, 0);
        await using ICaptureSource source = PcapHarness.Open(path);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Equal(frames.Count, result.Packets.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], result.Packets[i].Data);
        }
    }

    [Fact]
    public async Task A_file_many_times_the_read_buffer_is_delivered_whole_across_read_boundaries()
    {
        // Many times the read buffer, frames of varied length, so records straddle the reads' ends.
        var random = new Random(19);
        var frames = new List<byte[]>();
        long total = 0;
        while (total < (16L << 20) + 100_000)
        {
            byte[] frame = new byte[random.Next(60, 1515)];
            random.NextBytes(frame);
            frames.Add(frame);
            total += frame.Length + 16;
        }

        string path = await WritePcapAsync("windows.pcap", frames, 0);
        await using ICaptureSource source = PcapHarness.Open(path);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(frames.Count, result.Packets.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], result.Packets[i].Data);
        }
    }

    [Fact]
    public async Task Packets_of_batches_held_while_the_file_is_read_on_stay_as_read()
    {
        // Batches refer to their packets in the buffer the file was read into. Three held at a time
        // span more than one 64 KB read buffer, so the reader moves on past the packets they refer
        // to (and batches start in one buffer and end in the next) while they are held.
        var random = new Random(23);
        var frames = new List<byte[]>();
        long total = 0;
        while (total < 2L << 20)
        {
            byte[] frame = new byte[random.Next(60, 1515)];
            random.NextBytes(frame);
            frames.Add(frame);
            total += frame.Length + 16;
        }

        string path = await WritePcapAsync("held.pcap", frames, 0);
        await using ICaptureSource source = PcapHarness.Open(path, PcapHarness.Configuration(("buffer-size", "64kb")));
        await source.StartAsync(CancellationToken.None);
        var held = new Queue<CaptureBatch>();
        var read = new List<byte[]>();
        await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
        {
            held.Enqueue(batch);
            if (held.Count == 3)
            {
                TakeAndRelease(held.Dequeue(), read);
            }
        }

        while (held.Count > 0)
        {
            TakeAndRelease(held.Dequeue(), read);
        }

        Assert.Equal(frames.Count, read.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], read[i]);
        }

        static void TakeAndRelease(CaptureBatch batch, List<byte[]> read)
        {
            foreach (ref readonly PacketRecord record in batch.Packets)
            {
                read.Add(batch.GetPacketData(record).ToArray());
            }

            batch.Release();
        }
    }

    [Theory]
    [InlineData(6, 0, 1_500_000UL, 1_500_000_000L)]
    [InlineData(9, 0, 1_500_000UL, 1_500_000L)]
    [InlineData(3, 10, 2_500UL, 12_500_000_000L)]
    [InlineData(12, 0, 1_500_000UL, 1_500L)]
    [InlineData(0x80 | 10, 0, 3072UL, 3_000_000_000L)]
    [InlineData(0, -1, 5UL, 4_000_000_000L)]
    public void Pcapng_timestamps_follow_if_tsresol_and_if_tsoffset(byte resolution, long offsetSeconds, ulong units, long nanoseconds)
    {
        var description = new Capture.Pcap.Files.PcapNgInterface(1, 0, resolution, offsetSeconds);
        Assert.Equal(nanoseconds, description.ToNanoseconds(units));
    }

    private static (LinkType, ushort, long) Describe(PacketRecord record) => (record.LinkType, record.InterfaceId, record.TimestampNanoseconds);

    private async Task<string> WritePcapAsync(string name, IReadOnlyList<byte[]> frames, int firstFrame)
    {
        string path = Path.Combine(_directory, name);
        await using FileStream file = File.Create(path);
        PcapFileWriter.WriteFrames(file, frames, firstFrame);
        return path;
    }
}
