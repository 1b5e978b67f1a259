using Capture.Abstractions;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

/// <summary>
/// Which anomaly records carry <c>packethdr</c>'s <c>packet</c> and <c>packet_info</c>, as Suricata's
/// anomaly logger decides (output-json-anomaly.c): the records of the packet's own events, decoder
/// and stream (<c>AnomalyDecodeEventJson</c>), not application-layer ones; and none at all unless decoder
/// records are on (<c>JsonAnomalyLogConf</c> clears packethdr then, with a warning).
/// </summary>
public sealed class AnomalyPacketHeaderTests : IDisposable
{
    private readonly TemporaryLogDirectory _logs = new("anomaly-packethdr-");

    public void Dispose() => _logs.Dispose();

    [Theory]
    [InlineData("decode", true)]
    [InlineData("stream", true)]
    [InlineData("applayer", false)]
    public void Only_decoder_and_stream_records_carry_the_packet(string type, bool carries)
    {
        AnomalyType kind = type switch { "decode" => AnomalyType.Decode, "stream" => AnomalyType.Stream, _ => AnomalyType.Applayer };
        string line = Write(new EveWriterOptions { AnomalyDecode = true, AnomalyStream = true, AnomalyApplayer = true, AnomalyPacketHeader = true, InIface = false }, kind);
        Assert.Equal(carries, EveKeys.Of(line).Contains("packet"));
        Assert.Equal(carries, EveKeys.Of(line).Contains("packet_info"));
    }

    [Fact]
    public void Without_decoder_records_a_stream_record_carries_no_packet()
    {
        string line = Write(new EveWriterOptions { AnomalyStream = true, AnomalyPacketHeader = true, InIface = false }, AnomalyType.Stream);
        Assert.DoesNotContain("packet", EveKeys.Of(line));
        Assert.DoesNotContain("packet_info", EveKeys.Of(line));
    }

    private string Write(EveWriterOptions options, AnomalyType type)
    {
        using (var writer = new EveWriter(_logs.Logs, options))
        {
            writer.WriteAnomaly(new AnomalyEvent
            {
                TimestampNanoseconds = 1,
                FlowId = 3,
                Packet = null,
                Event = type == AnomalyType.Applayer ? "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS" : "stream.pkt_invalid_timestamp",
                Type = type,
                Layer = type == AnomalyType.Applayer ? "proto_detect" : null,
                InterfaceName = "eth0",
                LinkType = LinkType.Ethernet,
                Bytes = new byte[60],
            });
        }

        return Assert.Single(File.ReadAllLines(_logs.PathOf("eve.json")));
    }
}
