using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Capture.Hosting.Tests.Control;

/// <summary>A minimal control-socket client speaking like suricatasc: raw JSON writes, newline-ended replies.</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly List<byte> _pending = [];

    public ControlClient(string path)
    {
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        _socket.ReceiveTimeout = 10_000;
    }

    /// <summary>Connects and completes the version handshake (sent without a newline, as suricatasc does).</summary>
    public static ControlClient Connect(string path)
    {
        var client = new ControlClient(path);
        client.SendRaw("{\"version\": \"0.2\"}");
        JsonElement reply = client.Receive();
        Assert.Equal("OK", reply.GetProperty("return").GetString());
        return client;
    }

    public void SendRaw(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

    public void SendRaw(byte[] bytes) => _socket.Send(bytes);

    public JsonElement Command(string command, string? argumentsJson = null)
    {
        SendRaw(argumentsJson is null
            ? $"{{\"command\": \"{command}\"}}\n"
            : $"{{\"command\": \"{command}\", \"arguments\": {argumentsJson}}}\n");
        return Receive();
    }

    /// <summary>Reads one newline-terminated reply.</summary>
    public JsonElement Receive()
    {
        byte[] chunk = new byte[4096];
        while (true)
        {
            int newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                byte[] line = [.. _pending.GetRange(0, newline)];
                _pending.RemoveRange(0, newline + 1);
                using JsonDocument document = JsonDocument.Parse(line);
                return document.RootElement.Clone();
            }

            int received = _socket.Receive(chunk);
            if (received == 0)
            {
                throw new IOException("the server closed the connection before replying");
            }

            _pending.AddRange(chunk.AsSpan(0, received).ToArray());
        }
    }

    /// <summary>True when the server has closed the connection (reads end of stream).</summary>
    public bool IsClosedByServer()
    {
        byte[] chunk = new byte[1];
        try
        {
            return _socket.Receive(chunk) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();
}
