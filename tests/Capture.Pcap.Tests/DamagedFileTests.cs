using System.Buffers.Binary;
using Capture.Abstractions;
using Capture.Conformance;
using Capture.Tests.Shared;
using Microsoft.Extensions.Logging;

namespace Capture.Pcap.Tests;

/// <summary>Truncated, corrupt and foreign files: what is before the damage is delivered, the damage is reported with its offset.</summary>
public sealed class DamagedFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pcap-damaged-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Trait("Category", SharedPcaps.Category)]
    [Fact]
    public async Task A_file_cut_inside_a_record_delivers_the_records_before_and_reports_the_offset()
    {
        byte[] original = await File.ReadAllBytesAsync(SharedPcaps.Get("pcapplusplus/example.pcap"));
        (long offset, int index) = RecordOffsets(original).Skip(1000).First();
        string path = Path.Combine(_directory, "cut.pcap");
        await File.WriteAllBytesAsync(path, original.AsSpan(0, (int)offset + 16 + 10).ToArray());

        var loggers = new RecordingLoggerFactory();
        await using ICaptureSource source = PcapHarness.Open(path, loggers: loggers);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(index, result.Packets.Count);
        Assert.Equal(1, result.Statistics.Errors);
        Assert.Contains(loggers.Messages, m => m.Level == LogLevel.Warning && m.Message.Contains(path, StringComparison.Ordinal)
            && m.Message.Contains($"byte offset {offset}", StringComparison.Ordinal) && m.Message.Contains("truncated", StringComparison.Ordinal));
    }

    [Trait("Category", SharedPcaps.Category)]
    [Fact]
    public async Task A_record_with_an_impossible_length_is_reported_as_corrupt_with_its_offset()
    {
        byte[] original = await File.ReadAllBytesAsync(SharedPcaps.Get("pcapplusplus/example.pcap"));
        (long offset, int index) = RecordOffsets(original).Skip(10).First();
        byte[] damaged = original.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(damaged.AsSpan((int)offset + 8), 0x7fff_0000);
        string path = Path.Combine(_directory, "corrupt.pcap");
        await File.WriteAllBytesAsync(path, damaged);

        var loggers = new RecordingLoggerFactory();
        await using ICaptureSource source = PcapHarness.Open(path, loggers: loggers);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(index, result.Packets.Count);
        Assert.Equal(1, result.Statistics.Errors);
        Assert.Contains(loggers.Messages, m => m.Message.Contains($"corrupt record at byte offset {offset}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_truncated_pcapng_block_reports_its_offset()
    {
        using var file = new MemoryStream();
        file.Write(PcapFileWriter.SectionHeader(bigEndian: false));
        file.Write(PcapFileWriter.InterfaceDescription(1, 6, bigEndian: false));
        byte[] frame = FrameBuilder.Build(FrameBuilder.Flow("10.0.0.1", 1, "10.0.0.2", 2, 17), true, 100, 1);
        file.Write(PcapFileWriter.EnhancedPacket(0, 1, frame, bigEndian: false));
        long offset = file.Length;
        file.Write(PcapFileWriter.EnhancedPacket(0, 2, frame, bigEndian: false).AsSpan(0, 50));
        string path = Path.Combine(_directory, "cut.pcapng");
        await File.WriteAllBytesAsync(path, file.ToArray());

        var loggers = new RecordingLoggerFactory();
        await using ICaptureSource source = PcapHarness.Open(path, loggers: loggers);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Single(result.Packets);
        Assert.Equal(1, result.Statistics.Errors);
        Assert.Contains(loggers.Messages, m => m.Message.Contains($"byte offset {offset}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_not_a_capture_is_refused_when_the_source_is_created()
    {
        // Before the host opens anything of its own (its logs), so a wrong -r touches nothing.
        string path = Path.Combine(_directory, "notes.pcap");
        await File.WriteAllTextAsync(path, "not a capture file at all, just text");
        CaptureException failure = Assert.Throws<CaptureException>(() => PcapHarness.Open(path));
        Assert.Equal($"{path}: not a pcap or pcapng file (magic number 0x6e6f7420)", failure.Message);
    }

    [Fact]
    public async Task An_empty_file_fails_the_channel_naming_the_file()
    {
        // Length 0 is also what a pipe has: its header is read when it comes, in the reader.
        string path = Path.Combine(_directory, "empty.pcap");
        await File.WriteAllTextAsync(path, string.Empty);
        await using ICaptureSource source = PcapHarness.Open(path);
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        CaptureException failure = Assert.IsType<CaptureException>(result.Failure);
        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
        Assert.Contains("empty", failure.Message, StringComparison.Ordinal);
        Assert.Empty(result.Packets);
    }

    [Fact]
    public async Task A_pcap_header_cut_short_is_refused_naming_the_file()
    {
        string path = Path.Combine(_directory, "short.pcap");
        await File.WriteAllBytesAsync(path, PcapFileWriter.Header().AsSpan(0, 10).ToArray());
        CaptureException failure = Assert.Throws<CaptureException>(() => PcapHarness.Open(path));
        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_target_is_refused_when_the_source_is_created()
    {
        string path = Path.Combine(_directory, "missing.pcap");
        CaptureException failure = Assert.Throws<CaptureException>(() => PcapHarness.Open(path));
        Assert.Contains(path, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Walks a little-endian microsecond pcap independently of the plugin: (record offset, record index).</summary>
    private static IEnumerable<(long Offset, int Index)> RecordOffsets(byte[] file)
    {
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(file));
        long offset = 24;
        int index = 0;
        while (offset + 16 <= file.Length)
        {
            yield return (offset, index++);
            offset += 16 + BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)offset + 8));
        }
    }
}
