using System.Net;
using Samples.Generator;

namespace Detect.Sample.Tests.Host;

/// <summary>
/// Writes a pcap of small UDP packets, round-robin over <c>flows</c> flows (10.77.x.y:10000+ to
/// 10.78.0.1:53), one packet every 10 µs of capture time: large captures for stop tests, and a
/// stream to feed a pipe slowly.
/// </summary>
internal sealed class UdpFlowCapture : IDisposable
{
    private static readonly byte[] ClientMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] ServerMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
    private static readonly IPAddress Server = IPAddress.Parse("10.78.0.1");

    private readonly PcapWriter _writer;
    private readonly Link _link = new(ClientMac, ServerMac);
    private readonly int _flows;
    private readonly byte[] _payload = new byte[18];
    private long _written;

    public UdpFlowCapture(Stream stream, int flows)
    {
        _writer = new PcapWriter(stream);
        _flows = flows;
    }

    public long Written => _written;

    /// <summary>Writes <paramref name="count"/> more packets.</summary>
    public void Write(int count)
    {
        for (int i = 0; i < count; i++, _written++)
        {
            int flow = (int)(_written % _flows);
            var client = new IPAddress(new byte[] { 10, 77, (byte)(flow >> 8), (byte)flow });
            byte[] udp = PacketBuilder.UdpDatagram((ushort)(10000 + (flow % 50000)), 53, _payload);
            byte[] frame = _link.Frame(PacketBuilder.IPv4(client, Server, PacketBuilder.Udp, (ushort)_written, udp), fromClient: true);
            _writer.Write(1_700_000_000_000_000 + (_written * 10), frame);
        }
    }

    /// <summary>Writes a whole capture file.</summary>
    public static void WriteFile(string path, int packets, int flows)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var capture = new UdpFlowCapture(file, flows);
        capture.Write(packets);
    }

    public void Dispose() => _writer.Dispose();
}
