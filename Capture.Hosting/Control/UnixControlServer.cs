using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Hosting.Control;

/// <summary>
/// Suricata's unix-socket control protocol, so existing clients (<c>suricatasc</c>) work: the client
/// sends <c>{"version": "0.2"}</c> and gets <c>{"return": "OK"}</c>, then sends
/// <c>{"command": "...", "arguments": {...}}</c> messages, each answered with
/// <c>{"return": "OK"|"NOK", "message": ...}</c> and a newline. Serves several clients at once;
/// a malformed or oversized request gets an error reply and never stops the server.
/// </summary>
public sealed class UnixControlServer : IAsyncDisposable
{
    /// <summary>The largest request accepted, in bytes.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    private static readonly string[] SupportedVersions = ["0.1", "0.2"];
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _listener;
    private readonly ControlCommandRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _clients = [];
    private readonly Lock _clientsLock = new();
    private int _nextClient;
    private int _disposed;

    private UnixControlServer(string path, Socket listener, ControlCommandRegistry registry, ILogger logger)
    {
        Path = path;
        _listener = listener;
        _registry = registry;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The socket file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates the socket file (mode 0660; a stale file nobody listens on is replaced) and starts serving.
    /// </summary>
    /// <param name="path">The socket file.</param>
    /// <param name="registry">The commands.</param>
    /// <param name="logger">Logging; null for none.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="IOException">Another process serves this path, or the socket cannot be created; the message says which.</exception>
    public static UnixControlServer Start(string path, ControlCommandRegistry registry, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(registry);
        logger ??= NullLogger.Instance;
        string full = System.IO.Path.GetFullPath(path);
        string? directory = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (File.Exists(full))
        {
            if (SomeoneListens(full))
            {
                throw new IOException($"unix-command: another process already serves the control socket {full}");
            }

            File.Delete(full);
            ControlLog.RemovedStale(logger, full);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(full));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }

            listener.Listen(16);
        }
        catch (SocketException exception)
        {
            listener.Dispose();
            throw new IOException($"unix-command: cannot create the control socket {full}: {exception.Message}", exception);
        }

        ControlLog.Listening(logger, full);
        return new UnixControlServer(full, listener, registry, logger);
    }

    /// <summary>Stops serving, closes every client and removes the socket file.</summary>
    /// <returns>A task that completes when every client is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }

        _stopping.Dispose();
    }

    private static bool SomeoneListens(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                ControlLog.AcceptFailed(_logger, exception.Message);
                continue;
            }

            int id = Interlocked.Increment(ref _nextClient);
            ControlLog.ClientConnected(_logger, id);
            lock (_clientsLock)
            {
                _clients.RemoveAll(task => task.IsCompleted);
                _clients.Add(Task.Run(() => ServeAsync(client, id)));
            }
        }
    }

    private async Task ServeAsync(Socket client, int id)
    {
        string reason = "disconnected";
        using (client)
        {
            byte[] buffer = new byte[MaxRequestBytes + 1];
            int filled = 0;
            bool versionAgreed = false;
            try
            {
                while (true)
                {
                    int received = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                    if (received == 0)
                    {
                        return;
                    }

                    filled += received;
                    while (filled > 0)
                    {
                        JsonFraming.Result result = JsonFraming.TryFindValue(buffer.AsSpan(0, filled), out int end, out string? error);
                        if (result == JsonFraming.Result.Incomplete)
                        {
                            if (filled > MaxRequestBytes)
                            {
                                ControlLog.BadRequest(_logger, id, $"request larger than {MaxRequestBytes} bytes");
                                await SendAsync(client, ControlReply.Failed($"request too large: more than {MaxRequestBytes} bytes").ToJson()).ConfigureAwait(false);
                                reason = "oversized request";
                                return;
                            }

                            break;
                        }

                        int consumed;
                        if (result == JsonFraming.Result.Malformed)
                        {
                            // Resynchronise after the next newline (clients end each command with one), else drop what we have.
                            ReadOnlySpan<byte> pending = buffer.AsSpan(0, filled);
                            int start = pending.IndexOfAnyExcept(" \t\r\n"u8);
                            int newline = start < 0 ? -1 : pending[start..].IndexOf((byte)'\n');
                            consumed = newline < 0 ? filled : start + newline + 1;
                            ControlLog.BadRequest(_logger, id, $"malformed JSON: {error}");
                            await SendAsync(client, ControlReply.Failed($"malformed JSON: {error}").ToJson()).ConfigureAwait(false);
                        }
                        else
                        {
                            consumed = end;
                            bool keepOpen;
                            (versionAgreed, keepOpen) = await HandleAsync(client, id, buffer.AsMemory(0, end), versionAgreed).ConfigureAwait(false);
                            if (!keepOpen)
                            {
                                reason = "handshake refused";
                                return;
                            }
                        }

                        Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                        filled -= consumed;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                reason = _stopping.IsCancellationRequested ? "server stopping" : $"the client read no reply for {ReplyTimeout.TotalSeconds:0} s";
            }
            catch (SocketException exception)
            {
                reason = exception.Message;
            }
            finally
            {
                ControlLog.ClientLeft(_logger, id, reason);
            }
        }
    }

    private async Task<(bool VersionAgreed, bool KeepOpen)> HandleAsync(Socket client, int id, ReadOnlyMemory<byte> message, bool versionAgreed)
    {
        using JsonDocument document = JsonDocument.Parse(message);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            await SendAsync(client, ControlReply.Failed("expected a JSON object").ToJson()).ConfigureAwait(false);
            return (versionAgreed, true);
        }

        if (!versionAgreed)
        {
            if (!root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.String)
            {
                await SendAsync(client, ControlReply.Failed("expected the version handshake first: {\"version\": \"0.2\"}").ToJson()).ConfigureAwait(false);
                return (false, false);
            }

            if (Array.IndexOf(SupportedVersions, version.GetString()) < 0)
            {
                await SendAsync(client, ControlReply.Failed($"Unsupported version '{version.GetString()}'; supported: {string.Join(", ", SupportedVersions)}").ToJson()).ConfigureAwait(false);
                return (false, false);
            }

            await SendAsync(client, ControlReply.Ok().ToJson()).ConfigureAwait(false);
            return (true, true);
        }

        if (!root.TryGetProperty("command", out JsonElement commandElement) || commandElement.ValueKind != JsonValueKind.String)
        {
            await SendAsync(client, ControlReply.Failed("expected {\"command\": \"<name>\", \"arguments\": {...}}").ToJson()).ConfigureAwait(false);
            return (true, true);
        }

        string command = commandElement.GetString()!;
        JsonElement? arguments = root.TryGetProperty("arguments", out JsonElement args) ? args : null;
        ControlLog.CommandReceived(_logger, id, command);
        ControlReply reply;
        try
        {
            reply = _registry.Execute(command, arguments);
        }
#pragma warning disable CA1031 // A failing command must not take the control socket down: report it to the client.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            ControlLog.CommandFailed(_logger, command, exception);
            reply = ControlReply.Failed($"{command} failed: {exception.Message}");
        }

        await SendAsync(client, reply.ToJson()).ConfigureAwait(false);
        return (true, true);
    }

    /// <summary>
    /// Sends a reply whole, even when the server is stopping: a command may itself stop the host
    /// (<c>shutdown</c>), and its client must still get the answer. Bounded by a timeout instead,
    /// so a client that stopped reading cannot hold the server's shutdown.
    /// </summary>
    private static async Task SendAsync(Socket client, JsonObject reply)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(reply.ToJsonString() + "\n");
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
    }
}
