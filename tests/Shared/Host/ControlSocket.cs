// Shared host-test fixtures (tests/Shared/Host). This file: the host's unix-command socket.
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Capture.Tests.Host;

/// <summary>A client of the host's unix-command socket (Suricata's protocol: version handshake, then one JSON command a line).</summary>
internal sealed class ControlSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public ControlSocket(string path)
    {
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        _socket.ReceiveTimeout = 10_000;
        Assert.Equal("OK", Ask("{\"version\": \"0.2\"}").GetProperty("return").GetString());
    }

    /// <summary>iface-stat's reply for <paramref name="interfaceName"/>.</summary>
    public JsonElement InterfaceStat(string interfaceName)
    {
        JsonElement reply = Ask($"{{\"command\": \"iface-stat\", \"arguments\": {{\"iface\": \"{interfaceName}\"}}}}\n");
        Assert.True(reply.GetProperty("return").GetString() == "OK", reply.ToString());
        return reply.GetProperty("message");
    }

    public JsonElement Ask(string request)
    {
        _socket.Send(Encoding.UTF8.GetBytes(request));
        var buffer = new List<byte>();
        byte[] chunk = new byte[65536];
        while (!buffer.Contains((byte)'\n'))
        {
            int received = _socket.Receive(chunk);
            Assert.True(received > 0, "the control socket closed before replying");
            buffer.AddRange(chunk.AsSpan(0, received).ToArray());
        }

        using JsonDocument document = JsonDocument.Parse(buffer.ToArray().AsMemory(0, buffer.IndexOf((byte)'\n')));
        return document.RootElement.Clone();
    }

    public void Dispose() => _socket.Dispose();
}
