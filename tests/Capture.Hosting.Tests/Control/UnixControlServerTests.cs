using System.Text;
using System.Text.Json;
using Capture.Abstractions;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

public sealed class UnixControlServerTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"ctl-{Guid.NewGuid():N}");
    private readonly ControlCommandRegistry _registry = new();
    private int _shutdowns;
    private UnixControlServer? _server;

    private string SocketPath => Path.Combine(_directory, "command.socket");

    public Task InitializeAsync()
    {
        _registry.AddInterface(new ControlInterface(
            "eth0",
            () => new CaptureStatistics(1000, 64000, 7, 0, 0, new BypassStatistics(new BypassFamilyStatistics(5, 1, 3), new BypassFamilyStatistics(2, 0, 2), 420, 42000)),
            BypassEnabled: true,
            InvalidChecksums: () => 9));
        _registry.AddInterface(new ControlInterface("eth1", () => new CaptureStatistics(10, 640, 0, 0, 0, default), BypassEnabled: false));
        _registry.SetCounters(() => [new("capture.kernel_packets", 1010), new("capture.kernel_drops", 7), new("flow_bypassed.local_capture_pkts", 3)]);
        _registry.SetShutdown(() => Interlocked.Increment(ref _shutdowns));
        _server = UnixControlServer.Start(SocketPath, _registry);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Handshake_then_command_list_names_every_suricata_command()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        JsonElement reply = client.Command("command-list");
        Assert.Equal("OK", reply.GetProperty("return").GetString());
        string[] commands = [.. reply.GetProperty("message").GetProperty("commands").EnumerateArray().Select(item => item.GetString()!)];
        foreach (string expected in new[] { "command-list", "iface-list", "iface-stat", "iface-bypassed-stat", "ebpf-bypassed-stat", "dump-counters", "uptime", "shutdown" })
        {
            Assert.Contains(expected, commands);
        }

        Assert.Equal(commands.Length, reply.GetProperty("message").GetProperty("count").GetInt32());
    }

    [Fact]
    public void Iface_list_and_iface_stat_report_the_registered_interfaces()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        JsonElement list = client.Command("iface-list").GetProperty("message");
        Assert.Equal(2, list.GetProperty("count").GetInt32());
        Assert.Equal(["eth0", "eth1"], list.GetProperty("ifaces").EnumerateArray().Select(item => item.GetString()));

        JsonElement stat = client.Command("iface-stat", "{\"iface\": \"eth0\"}");
        Assert.Equal("OK", stat.GetProperty("return").GetString());
        JsonElement message = stat.GetProperty("message");
        Assert.Equal(1000, message.GetProperty("pkts").GetInt64());
        Assert.Equal(7, message.GetProperty("drop").GetInt64());
        Assert.Equal(9, message.GetProperty("invalid-checksums").GetInt64());
        Assert.Equal(420, message.GetProperty("bypassed").GetInt64());

        JsonElement missing = client.Command("iface-stat", "{\"iface\": \"nope0\"}");
        Assert.Equal("NOK", missing.GetProperty("return").GetString());
        Assert.Contains("nope0", missing.GetProperty("message").GetString(), StringComparison.Ordinal);

        JsonElement noArgument = client.Command("iface-stat");
        Assert.Equal("NOK", noArgument.GetProperty("return").GetString());
        Assert.Contains("iface", noArgument.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Iface_bypassed_stat_and_its_alias_report_per_family_counters_of_bypassing_interfaces()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        foreach (string command in new[] { "iface-bypassed-stat", "ebpf-bypassed-stat" })
        {
            JsonElement reply = client.Command(command);
            Assert.Equal("OK", reply.GetProperty("return").GetString());
            JsonElement message = reply.GetProperty("message");
            Assert.False(message.TryGetProperty("eth1", out _));
            JsonElement eth0 = message.GetProperty("eth0");
            Assert.Equal(3, eth0.GetProperty("ipv4_maps_count").GetInt64());
            Assert.Equal(5, eth0.GetProperty("ipv4_success").GetInt64());
            Assert.Equal(1, eth0.GetProperty("ipv4_fail").GetInt64());
            Assert.Equal(2, eth0.GetProperty("ipv6_maps_count").GetInt64());
            Assert.Equal(2, eth0.GetProperty("ipv6_success").GetInt64());
            Assert.Equal(0, eth0.GetProperty("ipv6_fail").GetInt64());
        }
    }

    [Fact]
    public async Task Iface_bypassed_stat_without_a_bypassing_interface_says_so()
    {
        var registry = new ControlCommandRegistry();
        registry.AddInterface(new ControlInterface("eth1", () => default, BypassEnabled: false));
        string path = Path.Combine(_directory, "nobypass.socket");
        await using UnixControlServer server = UnixControlServer.Start(path, registry);
        using ControlClient client = ControlClient.Connect(path);
        JsonElement reply = client.Command("iface-bypassed-stat");
        Assert.Equal("NOK", reply.GetProperty("return").GetString());
        Assert.Equal("No interface using bypass", reply.GetProperty("message").GetString());
    }

    [Fact]
    public void Dump_counters_nests_dotted_names_and_uptime_counts_seconds()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        JsonElement counters = client.Command("dump-counters").GetProperty("message");
        Assert.Equal(1010, counters.GetProperty("capture").GetProperty("kernel_packets").GetInt64());
        Assert.Equal(7, counters.GetProperty("capture").GetProperty("kernel_drops").GetInt64());
        Assert.Equal(3, counters.GetProperty("flow_bypassed").GetProperty("local_capture_pkts").GetInt64());
        Assert.True(counters.GetProperty("uptime").GetInt64() >= 0);

        JsonElement uptime = client.Command("uptime");
        Assert.Equal("OK", uptime.GetProperty("return").GetString());
        Assert.True(uptime.GetProperty("message").GetInt64() >= 0);
    }

    [Fact]
    public void Shutdown_runs_the_hosts_callback()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        JsonElement reply = client.Command("shutdown");
        Assert.Equal("OK", reply.GetProperty("return").GetString());
        Assert.Equal(1, Volatile.Read(ref _shutdowns));
    }

    [Fact]
    public async Task Shutdown_replies_even_when_the_callback_stops_the_server_at_once()
    {
        // A host's shutdown stops the control server; the client must still get its "Closing".
        var registry = new ControlCommandRegistry();
        UnixControlServer? server = null;
        Task? stopped = null;
        registry.SetShutdown(() => stopped = server!.DisposeAsync().AsTask());
        server = UnixControlServer.Start(Path.Combine(_directory, "stopping.socket"), registry);
        using (ControlClient client = ControlClient.Connect(Path.Combine(_directory, "stopping.socket")))
        {
            JsonElement reply = client.Command("shutdown");
            Assert.Equal("OK", reply.GetProperty("return").GetString());
            Assert.Equal("Closing", reply.GetProperty("message").GetString());
        }

        Assert.NotNull(stopped);
        await stopped;
    }

    [Fact]
    public void Unknown_command_and_malformed_json_get_errors_and_the_connection_keeps_serving()
    {
        using ControlClient client = ControlClient.Connect(SocketPath);
        JsonElement unknown = client.Command("no-such-command");
        Assert.Equal("NOK", unknown.GetProperty("return").GetString());

        client.SendRaw("{\"command\": iface-list}\n");
        JsonElement malformed = client.Receive();
        Assert.Equal("NOK", malformed.GetProperty("return").GetString());
        Assert.Contains("malformed", malformed.GetProperty("message").GetString(), StringComparison.Ordinal);

        client.SendRaw("[1, 2]\n");
        Assert.Equal("NOK", client.Receive().GetProperty("return").GetString());

        JsonElement after = client.Command("iface-list");
        Assert.True(after.GetProperty("return").GetString() == "OK", after.ToString());
    }

    [Fact]
    public void Oversized_request_gets_an_error_and_the_server_keeps_serving_others()
    {
        using (ControlClient big = ControlClient.Connect(SocketPath))
        {
            // An unterminated string of more than 64 KiB never completes a message.
            byte[] huge = Encoding.UTF8.GetBytes("{\"command\": \"" + new string('x', UnixControlServer.MaxRequestBytes + 100));
            big.SendRaw(huge);
            JsonElement reply = big.Receive();
            Assert.Equal("NOK", reply.GetProperty("return").GetString());
            Assert.Contains("too large", reply.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(big.IsClosedByServer());
        }

        using ControlClient next = ControlClient.Connect(SocketPath);
        Assert.Equal("OK", next.Command("uptime").GetProperty("return").GetString());
    }

    [Fact]
    public void Handshake_is_required_and_unsupported_versions_are_refused()
    {
        using (var noHandshake = new ControlClient(SocketPath))
        {
            noHandshake.SendRaw("{\"command\": \"iface-list\"}\n");
            Assert.Equal("NOK", noHandshake.Receive().GetProperty("return").GetString());
            Assert.True(noHandshake.IsClosedByServer());
        }

        using (var wrongVersion = new ControlClient(SocketPath))
        {
            wrongVersion.SendRaw("{\"version\": \"9.9\"}");
            JsonElement reply = wrongVersion.Receive();
            Assert.Equal("NOK", reply.GetProperty("return").GetString());
            Assert.Contains("9.9", reply.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using ControlClient old = new(SocketPath);
        old.SendRaw("{\"version\": \"0.1\"}");
        Assert.Equal("OK", old.Receive().GetProperty("return").GetString());
    }

    [Fact]
    public async Task Several_clients_are_served_at_once()
    {
        // Each client holds its connection open while the others talk: the server must interleave them.
        ControlClient[] clients = [.. Enumerable.Range(0, 8).Select(_ => ControlClient.Connect(SocketPath))];
        try
        {
            await Task.WhenAll(clients.Select(client => Task.Run(() =>
            {
                for (int i = 0; i < 20; i++)
                {
                    JsonElement reply = client.Command("iface-stat", "{\"iface\": \"eth1\"}");
                    Assert.Equal(10, reply.GetProperty("message").GetProperty("pkts").GetInt64());
                }
            })));
        }
        finally
        {
            foreach (ControlClient client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public void Socket_file_has_mode_0660_and_a_second_server_on_it_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("unix socket file modes need Linux");
        }

        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(SocketPath));

        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("live socket", error.Message, StringComparison.Ordinal);
        using ControlClient client = ControlClient.Connect(SocketPath);
        Assert.Equal("OK", client.Command("uptime").GetProperty("return").GetString());
    }
}
