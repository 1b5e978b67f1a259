using System.Diagnostics;
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
/// <c>{"return": "OK"|"NOK", "message": ...}</c> and a newline. Serves several clients at once, up
/// to <see cref="ControlConnectionLimits.MaxConnections"/>; a malformed, oversized or non-UTF-8
/// request gets an error reply and never stops the server; a connection idle or stuck in the middle
/// of a request past its timeout is answered NOK and closed.
/// </summary>
public sealed class UnixControlServer : IAsyncDisposable
{
    /// <summary>The largest request accepted, in bytes.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    private static readonly string[] SupportedVersions = ["0.1", "0.2"];
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    // Receive buffers start small and grow with the request: an idle connection holds none.
    private const int FirstBufferBytes = 1024;
    private readonly Socket _listener;
    private readonly ControlCommandRegistry _registry;
    private readonly ControlConnectionLimits _limits;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _clients = [];
    private readonly Lock _clientsLock = new();
    private int _nextClient;
    private int _active;
    private long _refused;
    private long _timedOut;
    private bool _refusing;
    private int _disposed;

    private UnixControlServer(string path, Socket listener, ControlCommandRegistry registry, ControlConnectionLimits limits, ILogger logger)
    {
        Path = path;
        _listener = listener;
        _registry = registry;
        _limits = limits;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The socket file.</summary>
    public string Path { get; }

    /// <summary>Connections answered NOK and closed because <see cref="ControlConnectionLimits.MaxConnections"/> were open.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _refused);

    /// <summary>Connections closed by the idle or the request timeout.</summary>
    public long ConnectionsTimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>
    /// Creates the socket file (mode 0660) and starts serving. Only a stale socket nobody listens on
    /// is replaced; anything else at the path (a regular file, a directory, a symbolic link, a live
    /// socket) is left alone and the start fails.
    /// </summary>
    /// <param name="path">The socket file.</param>
    /// <param name="registry">The commands.</param>
    /// <param name="logger">Logging; null for none.</param>
    /// <param name="limits">Timeouts and the connection limit; null for <see cref="ControlConnectionLimits.Default"/>.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="IOException">Something other than a stale socket is at the path, or the socket cannot be created; the message names the path and says which.</exception>
    public static UnixControlServer Start(string path, ControlCommandRegistry registry, ILogger? logger = null, ControlConnectionLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(registry);
        logger ??= NullLogger.Instance;
        limits ??= ControlConnectionLimits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxConnections, 1, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limits.IdleTimeout, TimeSpan.Zero, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limits.MessageTimeout, TimeSpan.Zero, nameof(limits));
        string full = System.IO.Path.GetFullPath(path);
        string? directory = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        ControlSocketFile.Claim(full, logger);
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
        return new UnixControlServer(full, listener, registry, limits, logger);
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

            if (Volatile.Read(ref _active) >= _limits.MaxConnections)
            {
                Refuse(client);
                continue;
            }

            _refusing = false;
            Interlocked.Increment(ref _active);
            int id = Interlocked.Increment(ref _nextClient);
            ControlLog.ClientConnected(_logger, id);
            lock (_clientsLock)
            {
                _clients.RemoveAll(task => task.IsCompleted);
                _clients.Add(Task.Run(() => ServeAsync(client, id)));
            }
        }
    }

    /// <summary>Answers a connection over the limit and closes it, without holding the accept loop.</summary>
    private void Refuse(Socket client)
    {
        long refused = Interlocked.Increment(ref _refused);
        if (!_refusing)
        {
            // Once per burst: a flood of connections must not become a flood of log lines.
            _refusing = true;
            ControlLog.ConnectionsRefused(_logger, _limits.MaxConnections, refused);
        }

        using (client)
        {
            byte[] reply = Encoding.UTF8.GetBytes(ControlReply.Failed($"too many control connections (max-connections: {_limits.MaxConnections}); try again later").ToJson().ToJsonString() + "\n");
            try
            {
                // A fresh connection's send buffer is empty, so this does not wait.
                client.Blocking = false;
                client.Send(reply);
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task ServeAsync(Socket client, int id)
    {
        string reason = "disconnected";
        using (client)
        {
            CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            byte[]? buffer = null;
            int filled = 0;
            long requestStarted = 0;
            bool versionAgreed = false;
            try
            {
                while (true)
                {
                    int received;
                    try
                    {
                        TimeSpan wait = filled == 0 ? _limits.IdleTimeout : _limits.MessageTimeout - Stopwatch.GetElapsedTime(requestStarted);
                        deadline.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1));
                        if (buffer is null)
                        {
                            // Waits for data without a buffer (a zero-byte receive), so an idle connection costs a socket and no more.
                            await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                            buffer = new byte[FirstBufferBytes];
                        }
                        else if (filled == buffer.Length)
                        {
                            Debug.Assert(buffer.Length <= MaxRequestBytes, "a full buffer past the limit is answered as oversized before the next receive");
                            Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxRequestBytes + 1));
                        }

                        received = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                        if (!deadline.TryReset())
                        {
                            // The timer fired just as the data came: the data wins, with a fresh timer.
                            deadline.Dispose();
                            deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                        }
                    }
                    catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _timedOut);
                        reason = filled == 0
                            ? $"idle for {_limits.IdleTimeout.TotalSeconds:0.###} s"
                            : $"request incomplete {_limits.MessageTimeout.TotalSeconds:0.###} s after its first byte";
                        await SendAsync(client, ControlReply.Failed($"{reason}; closing the connection").ToJson()).ConfigureAwait(false);
                        return;
                    }

                    if (received == 0)
                    {
                        return;
                    }

                    if (filled == 0)
                    {
                        requestStarted = Stopwatch.GetTimestamp();
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
                        else if (!System.Text.Unicode.Utf8.IsValid(buffer.AsSpan(0, end)))
                        {
                            // The JSON reader does not check UTF-8 inside strings; reading one later would throw.
                            consumed = end;
                            ControlLog.BadRequest(_logger, id, "request is not valid UTF-8");
                            await SendAsync(client, ControlReply.Failed("request is not valid UTF-8").ToJson()).ConfigureAwait(false);
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
                        requestStarted = Stopwatch.GetTimestamp();
                    }

                    // What is left may be only the newline after a request: that starts no new request.
                    if (buffer.AsSpan(0, filled).IndexOfAnyExcept(" \t\r\n"u8) < 0)
                    {
                        filled = 0;
                        buffer = null;
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
                deadline.Dispose();
                Interlocked.Decrement(ref _active);
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
