using System.Text.Json;

namespace Detect.Sample.Output;

/// <summary>EVE property names of the tuple, UTF-8 encoded once rather than per event (alerts; flow events are assembled by <see cref="EveFlowLine"/>).</summary>
internal static class EveNames
{
    public static readonly JsonEncodedText Vlan = JsonEncodedText.Encode("vlan"u8);
    public static readonly JsonEncodedText SourceIp = JsonEncodedText.Encode("src_ip"u8);
    public static readonly JsonEncodedText SourcePort = JsonEncodedText.Encode("src_port"u8);
    public static readonly JsonEncodedText DestinationIp = JsonEncodedText.Encode("dest_ip"u8);
    public static readonly JsonEncodedText DestinationPort = JsonEncodedText.Encode("dest_port"u8);
    public static readonly JsonEncodedText Proto = JsonEncodedText.Encode("proto"u8);
    public static readonly JsonEncodedText PacketSource = JsonEncodedText.Encode("pkt_src"u8);
}
