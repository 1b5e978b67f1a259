using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Detect.Sample.Output;

namespace Detect.Sample.Tests;

/// <summary>
/// EVE names IP protocols as Suricata's known_proto table does (util-proto-name.c): every number up to
/// 143 by name, its own spellings included, and any other by its number.
/// </summary>
public sealed class IpProtocolNamesTests
{
    [Theory]
    [InlineData(0, "HOPOPT")]
    [InlineData(1, "ICMP")]
    [InlineData(4, "IP-in-IP")]
    [InlineData(6, "TCP")]
    [InlineData(39, "TP++")]
    [InlineData(41, "IPv6")]
    [InlineData(44, "IPv6-Frag")]
    [InlineData(51, "AH")]
    [InlineData(58, "IPv6-ICMP")]
    [InlineData(61, "Any")]
    [InlineData(89, "OSPF")]
    [InlineData(93, "AX.25")]
    [InlineData(103, "PIM")]
    [InlineData(107, "A/N")]
    [InlineData(112, "VRRP")]
    [InlineData(132, "SCTP")]
    [InlineData(136, "UDPLite")]
    [InlineData(138, "manet")]
    [InlineData(143, "Ethernet")]
    [InlineData(144, "144")]
    [InlineData(253, "253")]
    [InlineData(255, "255")]
    public void A_protocol_is_written_by_Suricatas_name_or_else_its_number(int protocol, string expected)
    {
        Assert.Equal($"{{\"proto\":\"{expected}\"}}", Written((byte)protocol));
        Assert.Equal(expected.All(char.IsAsciiDigit) ? null : expected, EveFormat.ProtocolName((byte)protocol));
    }

    [Fact]
    public void Every_number_up_to_143_has_a_name_and_none_after_it()
    {
        for (int p = 0; p < 256; p++)
        {
            Assert.Equal(p <= 143, IpProtocolNames.Utf8((byte)p).Length > 0);
            Assert.Equal(p <= 143, IpProtocolNames.Encoded((byte)p).EncodedUtf8Bytes.Length > 0);
        }
    }

    private static string Written(byte protocol)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            EveFormat.WriteProtocol(json, JsonEncodedText.Encode("proto"u8), protocol);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
