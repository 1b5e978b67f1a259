using System.Net;

namespace Samples.Generator;

/// <summary>
/// One TCP connection with consistent sequence numbers: handshake, data both ways cut into
/// MSS-sized segments with delayed ACKs, and an orderly FIN close (or a refused SYN).
/// </summary>
internal sealed class TcpConversation
{
    private const int Mss = 1448;
    private const byte Fin = 0x01;
    private const byte Syn = 0x02;
    private const byte Rst = 0x04;
    private const byte Psh = 0x08;
    private const byte Ack = 0x10;

    private readonly CaptureBuilder _capture;
    private readonly Prng _random;
    private readonly Link _link;
    private readonly IPAddress _client;
    private readonly IPAddress _server;
    private readonly ushort _clientPort;
    private readonly ushort _serverPort;
    private uint _clientSeq;
    private uint _serverSeq;
    private ushort _clientIpId;
    private ushort _serverIpId;

    public TcpConversation(CaptureBuilder capture, Prng random, Link link, IPAddress client, ushort clientPort, IPAddress server, ushort serverPort, long startMicroseconds)
    {
        _capture = capture;
        _random = random;
        _link = link;
        _client = client;
        _server = server;
        _clientPort = clientPort;
        _serverPort = serverPort;
        _clientSeq = (uint)random.NextUInt64();
        _serverSeq = (uint)random.NextUInt64();
        _clientIpId = (ushort)random.Next(1, 60000);
        _serverIpId = (ushort)random.Next(1, 60000);
        Time = startMicroseconds;
    }

    /// <summary>The conversation's clock, microseconds since the epoch.</summary>
    public long Time { get; private set; }

    public void Handshake()
    {
        Emit(true, Syn, _clientSeq, 0, []);
        _clientSeq++;
        Wait(300, 3000);
        Emit(false, Syn | Ack, _serverSeq, _clientSeq, []);
        _serverSeq++;
        Wait(100, 600);
        Emit(true, Ack, _clientSeq, _serverSeq, []);
    }

    /// <summary>A SYN answered by a RST: a closed port.</summary>
    public void Refused()
    {
        Emit(true, Syn, _clientSeq, 0, []);
        _clientSeq++;
        Wait(100, 900);
        Emit(false, Rst | Ack, 0, _clientSeq, []);
    }

    /// <summary>Sends <paramref name="data"/> from one side in segments; the other side ACKs every second segment and the last.</summary>
    public void Send(bool fromClient, ReadOnlySpan<byte> data)
    {
        int segments = 0;
        for (int offset = 0; offset < data.Length; offset += Mss)
        {
            ReadOnlySpan<byte> chunk = data.Slice(offset, Math.Min(Mss, data.Length - offset));
            bool last = offset + chunk.Length >= data.Length;
            if (fromClient)
            {
                Emit(true, (byte)(Ack | (last ? Psh : 0)), _clientSeq, _serverSeq, chunk);
                _clientSeq += (uint)chunk.Length;
            }
            else
            {
                Emit(false, (byte)(Ack | (last ? Psh : 0)), _serverSeq, _clientSeq, chunk);
                _serverSeq += (uint)chunk.Length;
            }

            segments++;
            Wait(20, 400);
            if (segments % 2 == 0 || last)
            {
                Emit(!fromClient, Ack, fromClient ? _serverSeq : _clientSeq, fromClient ? _clientSeq : _serverSeq, []);
                Wait(20, 400);
            }
        }
    }

    public void Close(bool clientFirst)
    {
        Wait(200, 5000);
        bool first = clientFirst;
        Emit(first, Fin | Ack, first ? _clientSeq : _serverSeq, first ? _serverSeq : _clientSeq, []);
        Advance(first);
        Wait(100, 800);
        Emit(!first, Fin | Ack, !first ? _clientSeq : _serverSeq, !first ? _serverSeq : _clientSeq, []);
        Advance(!first);
        Wait(100, 800);
        Emit(first, Ack, first ? _clientSeq : _serverSeq, first ? _serverSeq : _clientSeq, []);
    }

    public void Wait(int minMicroseconds, int maxMicroseconds) => Time += _random.Next(minMicroseconds, maxMicroseconds);

    private void Advance(bool client)
    {
        if (client)
        {
            _clientSeq++;
        }
        else
        {
            _serverSeq++;
        }
    }

    private void Emit(bool fromClient, int flags, uint sequence, uint acknowledgement, ReadOnlySpan<byte> payload)
    {
        byte[] segment = PacketBuilder.TcpSegment(
            fromClient ? _clientPort : _serverPort,
            fromClient ? _serverPort : _clientPort,
            sequence,
            acknowledgement,
            (byte)flags,
            payload);
        byte[] ip = fromClient
            ? PacketBuilder.IP(_client, _server, PacketBuilder.Tcp, _clientIpId++, segment)
            : PacketBuilder.IP(_server, _client, PacketBuilder.Tcp, _serverIpId++, segment);
        _capture.Add(Time, _link.Frame(ip, fromClient));
    }
}
