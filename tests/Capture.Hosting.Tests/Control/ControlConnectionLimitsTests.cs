using System.Text;
using System.Text.Json;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

/// <summary>Idle and request timeouts, the connection limit and invalid UTF-8, on a real socket.</summary>
public sealed class ControlConnectionLimitsTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private readonly string _directory = Directory.CreateTempSubdirectory("ctl-limits-").FullName;
    private readonly ControlCommandRegistry _registry = new();

    private string SocketPath => Path.Combine(_directory, "command.socket");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_idle_connection_is_answered_nok_and_closed_after_the_idle_timeout()
    {
        // The client connects and sends nothing, not even the handshake: no timing of ours can
        // race the server's, however loaded the machine.
        await using UnixControlServer server = Start(new ControlConnectionLimits { IdleTimeout = TimeSpan.FromMilliseconds(300), MessageTimeout = Long });
        using var client = new ControlClient(SocketPath);
        AssertAnsweredNokAndClosed(client, "idle");
        Assert.Equal(1, server.ConnectionsTimedOut);
    }

    [Fact]
    public async Task A_connection_that_never_finishes_its_request_is_closed_after_the_message_timeout()
    {
        // The idle timeout is long; only the unfinished request can end the connection.
        await using UnixControlServer server = Start(new ControlConnectionLimits { IdleTimeout = Long, MessageTimeout = TimeSpan.FromMilliseconds(300) });
        using ControlClient client = ControlClient.Connect(SocketPath);
        client.SendRaw("{\"command\": \"upt");
        AssertAnsweredNokAndClosed(client, "incomplete");
        Assert.Equal(1, server.ConnectionsTimedOut);
    }

    [Fact]
    public async Task A_request_trickled_byte_by_byte_does_not_reset_the_message_timeout()
    {
        await using UnixControlServer server = Start(new ControlConnectionLimits { IdleTimeout = Long, MessageTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = new ControlClient(SocketPath);
        byte[] handshake = Encoding.UTF8.GetBytes("{\"version\": \"0.2\"                                                                          ");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task trickle = Task.Run(
            async () =>
            {
                foreach (byte b in handshake)
                {
                    client.SendRaw([b]);
                    await Task.Delay(20, cancel.Token);
                }
            },
            cancel.Token);

        AssertAnsweredNokAndClosed(client, "incomplete");
        await cancel.CancelAsync();
        await Task.WhenAny(trickle);
    }

    [Fact]
    public async Task Connections_past_the_limit_are_answered_nok_closed_and_counted()
    {
        await using UnixControlServer server = Start(new ControlConnectionLimits { MaxConnections = 2 });
        using ControlClient first = ControlClient.Connect(SocketPath);
        using (ControlClient second = ControlClient.Connect(SocketPath))
        {
            using var third = new ControlClient(SocketPath);
            AssertAnsweredNokAndClosed(third, "max-connections: 2");
            Assert.Equal(1, server.ConnectionsRefused);

            // The connections within the limit keep being served.
            Assert.Equal("OK", first.Command("uptime").GetProperty("return").GetString());
            Assert.Equal("OK", second.Command("uptime").GetProperty("return").GetString());
        }

        // Once the second has left, a new client gets its place (the server notices the close on its own time).
        JsonElement handshake = default;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var next = new ControlClient(SocketPath);
            next.SendRaw("{\"version\": \"0.2\"}");
            handshake = next.Receive();
            if (handshake.GetProperty("return").GetString() == "OK")
            {
                Assert.Equal("OK", first.Command("uptime").GetProperty("return").GetString());
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no connection was accepted after one of two left: {handshake}");
    }

    [Fact]
    public async Task Invalid_utf8_is_answered_nok_and_the_connection_keeps_serving()
    {
        await using UnixControlServer server = Start(ControlConnectionLimits.Default);
        using ControlClient client = ControlClient.Connect(SocketPath);
        byte[] request = [.. "{\"command\": \""u8, 0xC3, 0x28, 0xFF, .. "\"}\n"u8];
        client.SendRaw(request);
        JsonElement reply = client.Receive();
        Assert.Equal("NOK", reply.GetProperty("return").GetString());
        Assert.Contains("UTF-8", reply.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal("OK", client.Command("uptime").GetProperty("return").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_in_the_handshake_is_answered_nok_too()
    {
        await using UnixControlServer server = Start(ControlConnectionLimits.Default);
        using var client = new ControlClient(SocketPath);
        client.SendRaw([.. "{\"version\": \"0.2"u8, 0xFE, .. "\"}"u8]);
        JsonElement reply = client.Receive();
        Assert.Equal("NOK", reply.GetProperty("return").GetString());
        Assert.Contains("UTF-8", reply.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static void AssertAnsweredNokAndClosed(ControlClient client, string reason)
    {
        JsonElement reply = client.Receive();
        Assert.Equal("NOK", reply.GetProperty("return").GetString());
        Assert.Contains(reason, reply.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(client.IsClosedByServer());
    }

    private UnixControlServer Start(ControlConnectionLimits limits) => UnixControlServer.Start(SocketPath, _registry, limits: limits);
}
