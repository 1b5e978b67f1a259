using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Samples.Generator;

/// <summary>
/// The sample's traffic: HTTP over IPv4 and IPv6, TLS sessions, a bulk download, DNS, NTP,
/// pings, a UDP probe answered by ICMP port-unreachable, refused connections, VLAN and QinQ
/// tagged sessions and a GRE tunnel. Everything derives from one seed.
/// </summary>
internal sealed class TrafficMix
{
    private static readonly long Epoch = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000;
    private static readonly string[] Paths = ["/", "/index.html", "/news", "/api/v1/items", "/images/logo.png", "/css/site.css", "/js/app.js", "/login", "/search?q=flows", "/health"];
    private static readonly string[] Agents = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/8.5.0", "Wget/1.21.3", "python-requests/2.31.0"];

    private readonly CaptureBuilder _capture;
    private readonly Prng _random = new(0x5EED_2026_1121UL);
    private ushort _nextPort = 40000;

    public TrafficMix(CaptureBuilder capture) => _capture = capture;

    public void Generate()
    {
        IPAddress resolver = IPAddress.Parse("192.168.1.1");
        for (int i = 0; i < 100; i++)
        {
            IPAddress client = IPAddress.Parse($"192.168.1.{10 + (i % 50)}");
            IPAddress server = IPAddress.Parse($"10.20.0.{1 + (i % 20)}");
            string agent = i % 25 == 7 ? "sqlmap/1.7.2#stable (https://sqlmap.org)" : Agents[i % Agents.Length];
            Http(Plain(client, server), client, server, 80, StartTime(), Paths[i % Paths.Length], agent);
        }

        for (int i = 0; i < 10; i++)
        {
            IPAddress client = IPAddress.Parse($"2001:db8:1::{0x10 + i:x}");
            IPAddress server = IPAddress.Parse($"2001:db8:20::{1 + (i % 3):x}");
            Http(Plain(client, server), client, server, 80, StartTime(), Paths[(i * 3) % Paths.Length], Agents[i % Agents.Length]);
        }

        for (int i = 0; i < 15; i++)
        {
            IPAddress client = IPAddress.Parse($"172.30.100.{10 + i}");
            IPAddress server = IPAddress.Parse("172.30.100.2");
            Http(new Link(Mac(client), Mac(server), [100]), client, server, 8080, StartTime(), Paths[i % Paths.Length], Agents[(i + 1) % Agents.Length]);
        }

        for (int i = 0; i < 5; i++)
        {
            IPAddress client = IPAddress.Parse($"172.31.200.{10 + i}");
            IPAddress server = IPAddress.Parse("172.31.200.2");
            Http(new Link(Mac(client), Mac(server), [200, 300]), client, server, 80, StartTime(), Paths[(i + 4) % Paths.Length], Agents[i % Agents.Length]);
        }

        for (int i = 0; i < 4; i++)
        {
            IPAddress client = IPAddress.Parse($"192.168.1.{70 + i}");
            IPAddress server = IPAddress.Parse($"203.0.113.{10 + i}");
            Tls(Plain(client, server), client, server, StartTime(), 10 + (2 * i));
        }

        // A video stream that the sample rules bypass by content, and a long download that
        // reaches the stream depth.
        StreamDownload(IPAddress.Parse("192.168.1.80"), IPAddress.Parse("198.51.100.7"), 8080, "GET /stream/video.mp4 HTTP/1.1", 96 * 1024);
        StreamDownload(IPAddress.Parse("192.168.1.81"), IPAddress.Parse("198.51.100.8"), 8000, "GET /backup/archive.tar HTTP/1.1", 200 * 1024);

        string[] names = ["example.com", "www.example.org", "mail.example.net", "updates.example.com", "cdn.example.org", "api.example.test", "ntp.example.com", "files.example.net"];
        for (int i = 0; i < 80; i++)
        {
            IPAddress client = IPAddress.Parse($"192.168.1.{10 + (i % 50)}");
            IPAddress server = i % 4 == 0 ? IPAddress.Parse("9.9.9.9") : resolver;
            Dns(Plain(client, server), client, server, StartTime(), names[i % names.Length], (ushort)(0x1000 + i));
        }

        for (int i = 0; i < 10; i++)
        {
            IPAddress client = IPAddress.Parse($"2001:db8:1::{0x10 + i:x}");
            IPAddress server = IPAddress.Parse("2001:db8:1::53");
            Dns(Plain(client, server), client, server, StartTime(), names[(i + 3) % names.Length], (ushort)(0x2000 + i));
        }

        for (int i = 0; i < 10; i++)
        {
            IPAddress client = IPAddress.Parse($"192.168.1.{20 + i}");
            IPAddress server = IPAddress.Parse("192.168.1.2");
            Ntp(Plain(client, server), client, server, StartTime());
        }

        for (int i = 0; i < 4; i++)
        {
            IPAddress client = IPAddress.Parse($"192.168.1.{10 + i}");
            IPAddress server = IPAddress.Parse($"10.20.0.{1 + i}");
            Ping(Plain(client, server), client, server, StartTime(), (ushort)(0x300 + i), 3);
        }

        Ping(Plain(IPAddress.Parse("2001:db8:1::10"), IPAddress.Parse("2001:db8:20::1")), IPAddress.Parse("2001:db8:1::10"), IPAddress.Parse("2001:db8:20::1"), StartTime(), 0x400, 3);

        for (int i = 0; i < 3; i++)
        {
            IPAddress client = IPAddress.Parse("192.168.1.15");
            IPAddress target = IPAddress.Parse($"10.20.0.{99 + i}");
            PortUnreachable(Plain(client, target), client, target, StartTime(), (ushort)(33434 + i));
        }

        for (int i = 0; i < 20; i++)
        {
            IPAddress scanner = IPAddress.Parse("192.168.1.66");
            IPAddress target = IPAddress.Parse("10.20.0.50");
            var tcp = new TcpConversation(_capture, _random, Plain(scanner, target), scanner, NextPort(), target, (ushort)(20 + (i * 7)), Epoch + 30_000_000 + (i * 1500));
            tcp.Refused();
        }

        // A GRE tunnel between two sites carrying an HTTP session and a DNS exchange.
        IPAddress siteA = IPAddress.Parse("172.16.0.1");
        IPAddress siteB = IPAddress.Parse("172.16.0.2");
        IPAddress innerClient = IPAddress.Parse("10.99.0.1");
        IPAddress innerServer = IPAddress.Parse("10.99.0.2");
        var tunnel = new Link(Mac(siteA), Mac(siteB), null, siteA, siteB);
        Http(tunnel, innerClient, innerServer, 80, StartTime(), "/intranet/status", Agents[1]);
        Dns(tunnel, innerClient, innerServer, StartTime(), "intranet.example.test", 0x3001);
    }

    private static byte[] Mac(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        return [0x02, 0x00, bytes[^4], bytes[^3], bytes[^2], bytes[^1]];
    }

    private static Link Plain(IPAddress client, IPAddress server) => new(Mac(client), Mac(server));

    private long StartTime() => Epoch + _random.Next(0, 90_000_000);

    private ushort NextPort() => _nextPort++;

    private void Http(Link link, IPAddress client, IPAddress server, ushort serverPort, long start, string path, string agent)
    {
        var tcp = new TcpConversation(_capture, _random, link, client, NextPort(), server, serverPort, start);
        tcp.Handshake();
        string host = server.ToString();
        string request = $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {agent}\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        tcp.Wait(100, 2000);
        tcp.Send(true, Encoding.ASCII.GetBytes(request));
        tcp.Wait(2000, 30000);
        int bodyLength = _random.Next(80, 2600);
        byte[] body = Text(bodyLength);
        string header = $"HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Sat, 21 Nov 2026 12:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: {bodyLength}\r\nConnection: close\r\n\r\n";
        tcp.Send(false, [.. Encoding.ASCII.GetBytes(header), .. body]);
        tcp.Close(clientFirst: false);
    }

    private void StreamDownload(IPAddress client, IPAddress server, ushort serverPort, string requestLine, int length)
    {
        var tcp = new TcpConversation(_capture, _random, Plain(client, server), client, NextPort(), server, serverPort, StartTime());
        tcp.Handshake();
        tcp.Send(true, Encoding.ASCII.GetBytes($"{requestLine}\r\nHost: {server}\r\nUser-Agent: {Agents[0]}\r\n\r\n"));
        tcp.Wait(1000, 5000);
        byte[] data = new byte[length];
        _random.Fill(data);
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {length - 64}\r\n\r\n").CopyTo(data, 0);
        tcp.Send(false, data);
        tcp.Close(clientFirst: true);
    }

    private void Tls(Link link, IPAddress client, IPAddress server, long start, int applicationRecords)
    {
        var tcp = new TcpConversation(_capture, _random, link, client, NextPort(), server, 443, start);
        tcp.Handshake();
        tcp.Send(true, TlsRecord(0x16, Handshake(1, 508)));
        tcp.Wait(5000, 20000);
        tcp.Send(false, [.. TlsRecord(0x16, Handshake(2, 118)), .. TlsRecord(0x16, Handshake(11, 2400)), .. TlsRecord(0x16, Handshake(14, 0))]);
        tcp.Wait(1000, 5000);
        tcp.Send(true, [.. TlsRecord(0x16, Handshake(16, 66)), .. TlsRecord(0x14, [1]), .. TlsRecord(0x16, Random(40))]);
        tcp.Wait(5000, 20000);
        tcp.Send(false, [.. TlsRecord(0x14, [1]), .. TlsRecord(0x16, Random(40))]);
        for (int i = 0; i < applicationRecords; i++)
        {
            tcp.Wait(1000, 50000);
            tcp.Send(true, TlsRecord(0x17, Random(_random.Next(60, 500))));
            tcp.Wait(5000, 30000);
            tcp.Send(false, TlsRecord(0x17, Random(_random.Next(200, 1400))));
        }

        tcp.Send(true, TlsRecord(0x15, Random(26)));
        tcp.Close(clientFirst: true);
    }

    private void Dns(Link link, IPAddress client, IPAddress server, long start, string name, ushort id)
    {
        ushort port = NextPort();
        bool v6 = client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        byte[] question = DnsQuestion(name, v6 ? (ushort)28 : (ushort)1);
        byte[] query = [.. DnsHeader(id, 0x0100, 0), .. question];
        byte[] answerData = v6 ? IPAddress.Parse("2001:db8:ff::1").GetAddressBytes() : [93, 184, 215, (byte)_random.Next(1, 254)];
        byte[] answer = [0xC0, 0x0C, 0, v6 ? (byte)28 : (byte)1, 0, 1, 0, 0, 0x0E, 0x10, 0, (byte)answerData.Length, .. answerData];
        byte[] response = [.. DnsHeader(id, 0x8180, 1), .. question, .. answer];
        long time = start;
        _capture.Add(time, link.Frame(PacketBuilder.IP(client, server, PacketBuilder.Udp, (ushort)_random.Next(1, 60000), PacketBuilder.UdpDatagram(port, 53, query)), true));
        time += _random.Next(500, 40000);
        _capture.Add(time, link.Frame(PacketBuilder.IP(server, client, PacketBuilder.Udp, (ushort)_random.Next(1, 60000), PacketBuilder.UdpDatagram(53, port, response)), false));
    }

    private void Ntp(Link link, IPAddress client, IPAddress server, long start)
    {
        ushort port = NextPort();
        byte[] request = new byte[48];
        request[0] = 0x23; // version 4, client
        _random.Fill(request.AsSpan(40));
        byte[] reply = new byte[48];
        reply[0] = 0x24; // version 4, server
        reply[1] = 2;
        _random.Fill(reply.AsSpan(16));
        _capture.Add(start, link.Frame(PacketBuilder.IP(client, server, PacketBuilder.Udp, (ushort)_random.Next(1, 60000), PacketBuilder.UdpDatagram(port, 123, request)), true));
        _capture.Add(start + _random.Next(300, 3000), link.Frame(PacketBuilder.IP(server, client, PacketBuilder.Udp, (ushort)_random.Next(1, 60000), PacketBuilder.UdpDatagram(123, port, reply)), false));
    }

    private void Ping(Link link, IPAddress client, IPAddress server, long start, ushort id, int count)
    {
        bool v6 = client.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        byte protocol = v6 ? PacketBuilder.Icmpv6 : PacketBuilder.Icmp;
        byte request = v6 ? (byte)128 : (byte)8;
        byte reply = v6 ? (byte)129 : (byte)0;
        long time = start;
        for (int sequence = 1; sequence <= count; sequence++)
        {
            byte[] body = new byte[56];
            for (int i = 0; i < body.Length; i++)
            {
                body[i] = (byte)(0x10 + i);
            }

            uint rest = ((uint)id << 16) | (uint)sequence;
            _capture.Add(time, link.Frame(PacketBuilder.IP(client, server, protocol, (ushort)_random.Next(1, 60000), PacketBuilder.IcmpMessage(request, 0, rest, body)), true));
            _capture.Add(time + _random.Next(400, 20000), link.Frame(PacketBuilder.IP(server, client, protocol, (ushort)_random.Next(1, 60000), PacketBuilder.IcmpMessage(reply, 0, rest, body)), false));
            time += 1_000_000;
        }
    }

    private void PortUnreachable(Link link, IPAddress client, IPAddress target, long start, ushort port)
    {
        ushort sourcePort = NextPort();
        byte[] probe = PacketBuilder.IPv4(client, target, PacketBuilder.Udp, (ushort)_random.Next(1, 60000), PacketBuilder.UdpDatagram(sourcePort, port, new byte[32]));
        _capture.Add(start, link.Frame(probe, true));

        // Destination unreachable / port unreachable quoting the probe's IP header and 8 bytes of UDP.
        byte[] quoted = probe[..28];
        byte[] error = PacketBuilder.IPv4(target, client, PacketBuilder.Icmp, (ushort)_random.Next(1, 60000), PacketBuilder.IcmpMessage(3, 3, 0, quoted));
        _capture.Add(start + _random.Next(200, 2000), link.Frame(error, false));
    }

    private static byte[] DnsHeader(ushort id, ushort flags, ushort answers)
    {
        byte[] header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), answers);
        return header;
    }

    private static byte[] DnsQuestion(string name, ushort type)
    {
        var bytes = new List<byte>();
        foreach (string label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    private static byte[] TlsRecord(byte contentType, byte[] body)
    {
        byte[] record = new byte[5 + body.Length];
        record[0] = contentType;
        record[1] = 3;
        record[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), (ushort)body.Length);
        body.CopyTo(record, 5);
        return record;
    }

    /// <summary>A TLS 1.2 handshake message whose length fields are consistent, so dissectors parse it.</summary>
    private byte[] Handshake(byte type, int length)
    {
        byte[] message = new byte[4 + length];
        message[0] = type;
        message[1] = (byte)(length >> 16);
        message[2] = (byte)(length >> 8);
        message[3] = (byte)length;
        Span<byte> body = message.AsSpan(4);
        switch (type)
        {
            case 1 or 2:
                // version, random, empty session id, one cipher suite, null compression, then
                // (ClientHello) a padding extension filling the rest.
                body[0] = 3;
                body[1] = 3;
                _random.Fill(body.Slice(2, 32));
                int offset = 35;
                if (type == 1)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(body[offset..], 2);
                    offset += 2;
                }

                BinaryPrimitives.WriteUInt16BigEndian(body[offset..], 0xC02F);
                offset += 2;
                if (type == 1)
                {
                    body[offset++] = 1;
                }

                body[offset++] = 0;
                int extensions = body.Length - offset - 2;
                BinaryPrimitives.WriteUInt16BigEndian(body[offset..], (ushort)extensions);
                if (extensions >= 4)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(body[(offset + 2)..], 0x0015);
                    BinaryPrimitives.WriteUInt16BigEndian(body[(offset + 4)..], (ushort)(extensions - 4));
                }

                break;
            case 11:
                // One opaque certificate: list length, certificate length, bytes.
                body[0] = (byte)((length - 3) >> 16);
                body[1] = (byte)((length - 3) >> 8);
                body[2] = (byte)(length - 3);
                body[3] = (byte)((length - 6) >> 16);
                body[4] = (byte)((length - 6) >> 8);
                body[5] = (byte)(length - 6);
                _random.Fill(body[6..]);
                break;
            case 16:
                // ECDHE public key: one length byte then the point.
                body[0] = (byte)(length - 1);
                body[1] = 4;
                _random.Fill(body[2..]);
                break;
            default:
                _random.Fill(body);
                break;
        }

        return message;
    }

    private byte[] Random(int length)
    {
        byte[] data = new byte[length];
        _random.Fill(data);
        return data;
    }

    private byte[] Text(int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz <>/=\"\n";
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)Alphabet[_random.Next(0, Alphabet.Length)];
        }

        return data;
    }
}
