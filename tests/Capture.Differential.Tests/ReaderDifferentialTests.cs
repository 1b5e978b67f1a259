using Capture.Pcap.Files;
using Capture.Tests.Shared;
using SharpPcap;
using SharpPcap.LibPcap;
using Xunit.Abstractions;

namespace Capture.Differential.Tests;

/// <summary>
/// Our pcap/pcapng reader against libpcap's (SharpPcap's <see cref="CaptureFileReaderDevice"/>) on
/// every shared capture: the same packets, in order, with the same timestamps, captured and
/// original lengths and bytes; a file one of them cannot read to the end is a disagreement too.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class ReaderDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void Our_reader_reads_every_shared_capture_as_libpcap_does()
    {
        var found = new Disagreements();
        long packets = 0;
        IReadOnlyList<string> files = SharedCaptureFiles.All();
        foreach (string file in files)
        {
            packets += Compare(file, found);
        }

        output.WriteLine($"{packets} packets in {files.Count} files compared with libpcap; {found.Total} disagreements");
        output.WriteLine(found.Describe(_ => true));
        Assert.True(packets > 100_000, $"only {packets} packets compared");
        string unexplained = found.Unexplained(ExplainedDisagreements.Reader);
        Assert.True(unexplained.Length == 0, $"unexplained disagreements with libpcap:\n{unexplained}");
    }

    private static long Compare(string file, Disagreements found)
    {
        string path = SharedCaptureFiles.PathOf(file);
        using var theirs = new CaptureFileReaderDevice(path);
        try
        {
            theirs.Open(new DeviceConfiguration { TimestampResolution = TimestampResolution.Nanosecond });
        }
        catch (PcapException e)
        {
            found.Add("libpcap cannot open the file", $"{file}: {e.Message}");
            return 0;
        }

        CaptureFileReader ours;
        try
        {
            ours = CaptureFileReader.Open(path, 1 << 20, null);
        }
        catch (Capture.Abstractions.CaptureException e)
        {
            found.Add("ours cannot open the file", $"{file}: {e.Message}");
            return 0;
        }

        using (ours)
        {
            FileRecord record = default;
            long index = 0;
            while (true)
            {
                RecordStatus status = ours.ReadNext(ref record, out ReadOnlySpan<byte> data);
                GetPacketStatus theirStatus = theirs.GetNextPacket(out PacketCapture capture);
                if (status != RecordStatus.Packet || theirStatus != GetPacketStatus.PacketRead)
                {
                    if (theirStatus == GetPacketStatus.Error && theirs.LastError.Contains("different from the", StringComparison.Ordinal))
                    {
                        found.Add("libpcap refuses pcapng interfaces that differ", $"{file} #{index + 1}: {theirs.LastError}");
                    }
                    else if (status == RecordStatus.Packet || theirStatus == GetPacketStatus.PacketRead)
                    {
                        found.Add($"file end: ours {status}, libpcap {theirStatus}", $"{file} #{index + 1}: ours {status} ({ours.ProblemDetail}), libpcap {theirStatus} ({theirs.LastError})");
                    }
                    else if ((status == RecordStatus.EndOfFile) != (theirStatus == GetPacketStatus.NoRemainingPackets))
                    {
                        found.Add($"file end: ours {status}, libpcap {theirStatus}", $"{file} after #{index}: ours {ours.ProblemDetail}, libpcap {theirs.LastError}");
                    }

                    return index;
                }

                index++;
                var header = (PcapHeader)capture.Header;
                decimal theirTime = header.Timeval.Value * 1_000_000_000m;
                string where = $"{file} #{index}";
                if (record.TimestampNanoseconds != theirTime)
                {
                    // SharpPcap shows a negative time_t as a huge unsigned one.
                    found.Add(theirTime > long.MaxValue ? "timestamp: 32-bit field of 2^31 or more" : "timestamp", $"{where}: ours {record.TimestampNanoseconds} ns, libpcap {theirTime} ns");
                }

                if (record.OriginalLength == header.PacketLength && header.CaptureLength < record.CaptureLength
                    && data[..(int)header.CaptureLength].SequenceEqual(capture.Data))
                {
                    found.Add("captured length: libpcap cuts the record to the file's snap length", $"{where}: ours {record.CaptureLength}, libpcap {header.CaptureLength}");
                }
                else if (header.PacketLength < record.CaptureLength && record.OriginalLength == record.CaptureLength
                    && data[..(int)Math.Min(header.CaptureLength, (uint)data.Length)].SequenceEqual(capture.Data))
                {
                    found.Add("wire length: the record's is below its captured length", $"{where}: ours {record.CaptureLength}/{record.OriginalLength}, libpcap {header.CaptureLength}/{header.PacketLength}");
                }
                else if (record.CaptureLength != header.CaptureLength || record.OriginalLength != header.PacketLength)
                {
                    found.Add("lengths", $"{where}: ours {record.CaptureLength}/{record.OriginalLength}, libpcap {header.CaptureLength}/{header.PacketLength}");
                }
                else if (!data.SequenceEqual(capture.Data))
                {
                    found.Add("bytes", $"{where}: the captured bytes differ");
                }

                if (record.LinkType != LinkTypeOf((uint)theirs.LinkType))
                {
                    found.Add("link type", $"{where}: ours {record.LinkType}, libpcap {(uint)theirs.LinkType}");
                }
            }
        }
    }

    /// <summary>libpcap answers with DLT numbers; the file (and our reader) with LINKTYPE numbers. These differ.</summary>
    private static uint LinkTypeOf(uint dlt) => dlt switch
    {
        11 => 100, // ATM RFC 1483
        19 => 106, // ATM classical IP
        15 => 102, // SLIP BSD/OS
        16 => 103, // PPP BSD/OS
        _ => LinkTypes.Normalize(dlt),
    };
}
