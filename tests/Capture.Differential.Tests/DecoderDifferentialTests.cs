using Capture.Abstractions;
using Capture.Pcap.Files;
using Capture.Tests.Shared;
using FlowEngine.Decode;
using PacketDotNet;
using Xunit.Abstractions;

namespace Capture.Differential.Tests;

/// <summary>
/// Every packet of the shared captures decoded by our decoder and by PacketDotNet, compared where
/// both state a fact. Each category of disagreement is explained in docs/FLOWS.md ("Checked against
/// PacketDotNet") or is a failure.
/// </summary>
[Trait("Category", SharedPcaps.Category)]
public sealed class DecoderDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void Our_decoder_agrees_with_PacketDotNet_on_every_shared_packet_but_the_explained_categories()
    {
        var found = new Disagreements();
        long packets = 0;
        long compared = 0;
        long unparsed = 0;
        long unsupported = 0;
        var decoder = new PacketDecoder(new DecoderCounters());
        DecodedPacket decoded = default;
        IReadOnlyList<string> files = SharedCaptureFiles.All();
        foreach (string file in files)
        {
            using CaptureFileReader reader = CaptureFileReader.Open(SharedCaptureFiles.PathOf(file), 1 << 20, null);
            FileRecord record = default;
            long index = 0;
            while (reader.ReadNext(ref record, out ReadOnlySpan<byte> data) == RecordStatus.Packet)
            {
                index++;
                packets++;
                if (!LinkTypes.IsSupported(record.LinkType))
                {
                    unsupported++;
                    continue;
                }

                var packet = new PacketRecord
                {
                    TimestampNanoseconds = record.TimestampNanoseconds,
                    CaptureLength = record.CaptureLength,
                    OriginalLength = record.OriginalLength,
                    LinkType = (LinkType)record.LinkType,
                };
                _ = decoder.Decode(data, in packet, ref decoded, out _);
                OracleView theirs;
                try
                {
                    theirs = DecoderComparison.Read(Packet.ParsePacket((LinkLayers)record.LinkType, data.ToArray()));
                }
#pragma warning disable CA1031 // PacketDotNet throws anything on a frame it cannot parse: then it states nothing to compare.
                catch (Exception)
#pragma warning restore CA1031
                {
                    unparsed++;
                    continue;
                }

                compared++;
                DecoderComparison.Compare($"{file} #{index}", in decoded, theirs, found);
            }
        }

        output.WriteLine($"{packets} packets in {files.Count} files; {compared} compared, {unparsed} PacketDotNet could not parse, {unsupported} of link types our decoder does not take; {found.Total} disagreements");
        output.WriteLine(found.Describe(_ => true));
        Assert.True(compared > 100_000, $"only {compared} packets compared");
        string unexplained = found.Unexplained(ExplainedDisagreements.Decoder);
        Assert.True(unexplained.Length == 0, $"unexplained disagreements with PacketDotNet:\n{unexplained}");
    }
}
