using System.Globalization;
using Capture.Abstractions;
using Capture.Tests.Shared;

namespace Capture.Pcap.Tests;

/// <summary>The plugin against the real captures in the shared folder and their MANIFEST.</summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class SharedCaptureTests
{
    [Fact]
    public async Task Every_shared_capture_reads_and_its_packet_count_matches_the_manifest()
    {
        var problems = new List<string>();
        IReadOnlyList<IReadOnlyDictionary<string, string>> rows = SharedPcaps.Manifest();
        Assert.True(rows.Count > 800, $"MANIFEST lists only {rows.Count} captures");
        foreach (IReadOnlyDictionary<string, string> row in rows)
        {
            string path = SharedPcaps.Get(row["path"]);
            long expected = long.Parse(row["packets"], CultureInfo.InvariantCulture);
            await using ICaptureSource source = PcapHarness.Open(path);
            ReadResult result = await PcapHarness.ReadAllAsync(source, copyData: false);
            CaptureStatistics statistics = result.Statistics;
            if (result.Failure is not null)
            {
                problems.Add($"{row["path"]}: {result.Failure.Message}");
                continue;
            }

            if (statistics.PacketsReceived != result.Packets.Count || statistics.Errors != 0)
            {
                problems.Add($"{row["path"]}: statistics {statistics} for {result.Packets.Count} delivered packets");
            }

            // tshark could not read files of link types it does not know (MANIFEST says 0 packets); neither do we decode them.
            bool unknownToTshark = row["tshark_warning"].Contains("unknown or unsupported", StringComparison.Ordinal);
            long counted = unknownToTshark ? result.Packets.Count : result.Packets.Count + statistics.UnsupportedLinkType;
            if (counted != expected)
            {
                problems.Add($"{row["path"]}: {result.Packets.Count} delivered + {statistics.UnsupportedLinkType} unsupported, MANIFEST says {expected}");
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} capture(s) differ:\n{string.Join('\n', problems.Take(30))}");
    }

    [Theory]
    [InlineData("pcapplusplus")]
    [InlineData("tcpdump")]
    [InlineData("ddos")]
    [InlineData("tcpreplay")]
    public async Task A_shared_folder_read_as_a_directory_is_one_source_with_every_packet(string folder)
    {
        // MANIFEST names link types as tshark does; these are the ones the engine decodes.
        string[] decoded = ["ether", "rawip", "rawip4", "rawip6", "null", "linux-sll", "linux-sll2", "per-packet", "chdlc"];
        List<IReadOnlyDictionary<string, string>> rows = [.. SharedPcaps.Manifest().Where(r => r["path"].StartsWith(folder + "/", StringComparison.Ordinal))];
        long expectedDelivered = rows.Where(r => decoded.Contains(r["linktype"])).Sum(r => long.Parse(r["packets"], CultureInfo.InvariantCulture));
        long expectedUnsupported = rows.Where(r => !decoded.Contains(r["linktype"])).Sum(r => long.Parse(r["packets"], CultureInfo.InvariantCulture));

        var loggers = new RecordingLoggerFactory();
        await using ICaptureSource source = PcapHarness.Open(Path.Combine(SharedPcaps.Directory, folder), loggers: loggers);
        ReadResult result = await PcapHarness.ReadAllAsync(source, copyData: false);
        Assert.Null(result.Failure);
        Assert.Equal(expectedDelivered, result.Packets.Count);

        // Files tshark could not read at all (MANIFEST: 0 packets) add to our unsupported count.
        Assert.True(result.Statistics.UnsupportedLinkType >= expectedUnsupported, $"{result.Statistics.UnsupportedLinkType} unsupported, MANIFEST implies at least {expectedUnsupported}");
        Assert.Equal(0, result.Statistics.Errors);
        Assert.Equal(rows.Count, loggers.Messages.Count(m => m.Message.Contains(": reading ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Pcapng_with_two_interfaces_keeps_each_interface_link_type_and_resolution()
    {
        await using ICaptureSource source = PcapHarness.Open(SharedPcaps.Get("pcapplusplus/pcapng-example.pcapng"));
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal(159, result.Packets.Count);
        Assert.Equal(59, result.Packets.Count(p => p.Record.InterfaceId == 0 && p.Record.LinkType == LinkType.Ethernet));
        Assert.Equal(100, result.Packets.Count(p => p.Record.InterfaceId == 1 && p.Record.LinkType == LinkType.LinuxSll));

        // Interface 0 has if_tsresol 9: the first packet at 1422527998.578402281 (as tshark shows it).
        Assert.Equal(1_422_527_998_578_402_281L, result.Packets[0].Record.TimestampNanoseconds);
        Assert.Equal(result.Packets.Sum(p => (long)p.Record.OriginalLength), result.Statistics.BytesReceived);
    }

    [Fact]
    public async Task Nanosecond_pcap_keeps_nanoseconds()
    {
        await using ICaptureSource source = PcapHarness.Open(SharedPcaps.Get("pcapplusplus/nanosecs.pcap"));
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Equal([1_000_002_000L, 1_000_001_234L], result.Packets.Select(p => p.Record.TimestampNanoseconds));
        Assert.All(result.Packets, p => Assert.Equal(16, p.Record.CaptureLength));
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), result.Packets[0].Data);
    }

    [Fact]
    public async Task Big_endian_pcap_of_an_unsupported_link_type_is_counted_and_skipped()
    {
        await using ICaptureSource source = PcapHarness.Open(SharedPcaps.Get("pcapplusplus/microsecs_big_endian.pcap"));
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.Empty(result.Packets);
        Assert.Equal(13, result.Statistics.UnsupportedLinkType);
        Assert.Equal(0, result.Statistics.Errors);
    }

    [Theory]
    [InlineData("pcapplusplus/sll.pcap", LinkType.LinuxSll)]
    [InlineData("pcapplusplus/sll2.pcap", LinkType.LinuxSll2)]
    [InlineData("pcapplusplus/null_loopback.pcap", LinkType.Null)]
    [InlineData("pcapplusplus/raw_ip.pcap", LinkType.Raw)]
    [InlineData("pcapplusplus/four_ipv6_http_streams.pcap", LinkType.Raw)]
    [InlineData("pcapplusplus/linktype_ipv4.pcap", LinkType.IPv4)]
    [InlineData("pcapplusplus/linktype_ipv6.pcap", LinkType.IPv6)]
    [InlineData("tcpdump/aarp-heapoverflow-1.pcap", LinkType.Ethernet)]
    public async Task Link_types_pass_through(string capture, LinkType expected)
    {
        await using ICaptureSource source = PcapHarness.Open(SharedPcaps.Get(capture));
        ReadResult result = await PcapHarness.ReadAllAsync(source);
        Assert.Null(result.Failure);
        Assert.NotEmpty(result.Packets);
        Assert.All(result.Packets, p => Assert.Equal(expected, p.Record.LinkType));
    }
}
