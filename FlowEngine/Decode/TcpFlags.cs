namespace FlowEngine.Decode;

/// <summary>The TCP header's flag bits the flow engine reads (<see cref="PacketLayer.TcpFlags"/>).</summary>
internal static class TcpFlags
{
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Ack = 0x10;
}
