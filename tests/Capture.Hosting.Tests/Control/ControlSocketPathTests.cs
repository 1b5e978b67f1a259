using System.Net.Sockets;
using Capture.Hosting.Control;

namespace Capture.Hosting.Tests.Control;

/// <summary>The control socket's path: only a stale socket is replaced; anything else there is left intact and named.</summary>
public sealed class ControlSocketPathTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ctl-path-").FullName;
    private readonly ControlCommandRegistry _registry = new();

    private string SocketPath => Path.Combine(_directory, "command.socket");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_regular_file_is_kept_intact_and_the_start_fails_naming_it()
    {
        await File.WriteAllTextAsync(SocketPath, "operator's notes");
        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal("operator's notes", await File.ReadAllTextAsync(SocketPath));
    }

    [Fact]
    public void A_directory_is_kept_and_the_start_fails_naming_it()
    {
        Directory.CreateDirectory(SocketPath);
        File.WriteAllText(Path.Combine(SocketPath, "inside"), "x");
        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("a directory", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(SocketPath, "inside")));
    }

    [Fact]
    public async Task A_symbolic_link_and_its_target_are_kept_and_the_start_fails_naming_both()
    {
        string target = Path.Combine(_directory, "target.txt");
        await File.WriteAllTextAsync(target, "not a socket");
        File.CreateSymbolicLink(SocketPath, target);
        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Contains(target, error.Message, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(SocketPath).LinkTarget);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public void A_dangling_symbolic_link_is_kept_too()
    {
        File.CreateSymbolicLink(SocketPath, Path.Combine(_directory, "nowhere"));
        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.NotNull(new FileInfo(SocketPath).LinkTarget);
    }

    [Fact]
    public void A_live_socket_of_another_listener_is_kept_and_the_start_fails_naming_it()
    {
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(SocketPath));
        other.Listen(4);
        IOException error = Assert.Throws<IOException>(() => UnixControlServer.Start(SocketPath, _registry));
        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("live socket", error.Message, StringComparison.Ordinal);

        // The other listener still owns its path.
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
        using Socket accepted = other.Accept();
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task A_stale_socket_nobody_listens_on_is_replaced()
    {
        // A socket file left by a listener that is gone, as after a crash. .NET removes the file it
        // bound when the socket is disposed, so the file is moved away from that name first.
        string bound = Path.Combine(_directory, "bound.socket");
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            crashed.Bind(new UnixDomainSocketEndPoint(bound));
            crashed.Listen(1);
            File.Move(bound, SocketPath);
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            SocketException refused = Assert.Throws<SocketException>(() => probe.Connect(new UnixDomainSocketEndPoint(SocketPath)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        await using UnixControlServer server = UnixControlServer.Start(SocketPath, _registry);
        using ControlClient client = ControlClient.Connect(SocketPath);
        Assert.Equal("OK", client.Command("uptime").GetProperty("return").GetString());
    }
}
