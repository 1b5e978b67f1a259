using System.Diagnostics;
using System.Threading.Channels;
using Capture.Hosting.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Detect.Sample.Output;

/// <summary>
/// EVE lines to a Redis list, channel or stream (<c>filetype: redis</c>). Appending only puts the
/// line into a bounded buffer, so a worker never waits for the network; one sender task takes the
/// lines out in batches and sends them. While the server is slow or down, lines wait in the buffer
/// (<see cref="EveRedisOptions.BufferEvents"/>); a full buffer drops new lines and counts them
/// (<see cref="Dropped"/>); the sender retries with a growing pause. At the end the sender gets
/// <see cref="EveRedisOptions.ShutdownTimeout"/> to empty the buffer; what is left is counted as
/// not delivered and logged.
/// </summary>
/// <remarks>
/// A batch whose connection broke is sent again from its first unconfirmed line, so after a
/// connection loss a line whose reply was lost may arrive twice (at least once, never silently lost).
/// </remarks>
internal sealed class EveRedisDestination : IBufferedEveDestination
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);
    private static readonly RedisValue StreamField = "eve";

    private readonly EveRedisOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _buffer;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _database;
    private readonly RedisKey _key;
    private readonly RedisChannel _channel;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _sender;
    private long _delivered;
    private long _dropped;
    private long _undelivered;
    private int _inHand;
    private bool _dropping;
    private string? _firstError;
    private string? _lastError;
    private bool _disposed;

    /// <summary>Connects (see <see cref="EveRedisOptions.RequireAtStart"/>) and starts the sender.</summary>
    /// <exception cref="IOException">The server cannot be reached or refused the login, and <see cref="EveRedisOptions.RequireAtStart"/> is set.</exception>
    public EveRedisDestination(EveRedisOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Path = $"redis://{(options.Server.StartsWith('/') ? options.Server : $"{options.Server}:{options.Port}")}/{options.Key}";
        _key = options.Key;
        _channel = RedisChannel.Literal(options.Key);
        _buffer = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.BufferEvents)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _redis = Connect(options, Path, logger);
        _database = _redis.GetDatabase();
        _sender = Task.Run(SendAsync);
    }

    public string Path { get; }

    /// <summary>Lines the server confirmed.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Lines dropped because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines still in the buffer at the end, not delivered within the shutdown timeout.</summary>
    public long Undelivered => Interlocked.Read(ref _undelivered);

    /// <summary>Lines waiting now: in the buffer, and the batch the sender has in hand.</summary>
    public long Buffered => _buffer.Reader.Count + Volatile.Read(ref _inHand);

    public long LinesWritten => Delivered;

    public long LinesLost => Dropped + Undelivered;

    public string? FirstError => Volatile.Read(ref _firstError);

    public WriteOutcome Append(ReadOnlySpan<byte> line)
    {
        Debug.Assert(line.Length > 0 && line[^1] == (byte)'\n', "an EVE line ends with its newline");

        // Redis gets the event without the newline that separates lines in a file.
        if (!_disposed && _buffer.Writer.TryWrite(line[..^1].ToArray()))
        {
            if (_dropping)
            {
                _dropping = false;
                return WriteOutcome.Resumed;
            }

            return WriteOutcome.Buffered;
        }

        Interlocked.Increment(ref _dropped);
        Interlocked.CompareExchange(ref _firstError, $"the buffer of {_options.BufferEvents} events is full (the server is slow or down)", null);
        bool first = !_dropping;
        _dropping = true;
        return first ? WriteOutcome.Failed : WriteOutcome.StillFailing;
    }

    /// <summary>Nothing to do: the sender sends as soon as lines arrive.</summary>
    public WriteOutcome Flush() => WriteOutcome.Buffered;

    /// <summary>Nothing to reopen: log rotation is a file's matter.</summary>
    public WriteOutcome Reopen() => WriteOutcome.Buffered;

    /// <summary>Gives the sender the shutdown timeout to deliver what is buffered, then counts and logs what was not.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _buffer.Writer.TryComplete();
        try
        {
            if (!_sender.Wait(_options.ShutdownTimeout))
            {
                _abandon.Cancel();
                _ = _sender.Wait(LastRetry);
            }
        }
        catch (AggregateException e)
        {
            // The sender stopped on a failure no retry covers: what it had not sent is counted below.
            EveRedisLog.SenderFailed(_logger, Path, e.InnerException?.Message ?? e.Message);
        }

        long left = 0;
        while (_buffer.Reader.TryRead(out _))
        {
            left++;
        }

        Interlocked.Add(ref _undelivered, left);
        long undelivered = Undelivered;
        if (undelivered > 0)
        {
            Interlocked.CompareExchange(ref _firstError, $"the server did not take the buffered events within {_options.ShutdownTimeout.TotalSeconds:0.#} s", null);
            EveRedisLog.Undelivered(_logger, Path, undelivered, _options.ShutdownTimeout.TotalSeconds, Delivered, Dropped);
        }
        else
        {
            EveRedisLog.Closed(_logger, Path, Delivered, Dropped);
        }

        _redis.Dispose();
        _abandon.Dispose();
    }

    private static ConnectionMultiplexer Connect(EveRedisOptions options, string path, ILogger logger)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = options.RequireAtStart,
            ConnectTimeout = 2000,
            ConnectRetry = 1,
            // Our buffer is the only one: a command while disconnected fails at once, and the sender retries it.
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new ExponentialRetry((int)FirstRetry.TotalMilliseconds, (int)LastRetry.TotalMilliseconds),
            User = options.User,
            Password = options.Password,
            Ssl = options.Tls,
            ClientName = "Detect.Sample",
        };
        if (options.Server.StartsWith('/'))
        {
            configuration.EndPoints.Add(new System.Net.Sockets.UnixDomainSocketEndPoint(options.Server));
        }
        else
        {
            configuration.EndPoints.Add(options.Server, options.Port);
        }

        ConnectionMultiplexer redis;
        try
        {
            redis = ConnectionMultiplexer.Connect(configuration);
        }
        catch (RedisConnectionException e)
        {
            throw new IOException($"eve-log: cannot use {path} (require-at-start: yes): {e.Message}", e);
        }

        if (!redis.IsConnected)
        {
            EveRedisLog.NotReachable(logger, path, options.BufferEvents);
        }

        return redis;
    }

    private async Task SendAsync()
    {
        int batchSize = _options.Pipelining ? _options.BatchSize : 1;
        var batch = new List<byte[]>(batchSize);
        var pending = new Task[batchSize];
        ChannelReader<byte[]> reader = _buffer.Reader;
        CancellationToken abandon = _abandon.Token;
        TimeSpan pause = FirstRetry;
        bool failing = false;
        try
        {
            while (await reader.WaitToReadAsync(abandon).ConfigureAwait(false))
            {
                while (batch.Count < batchSize && reader.TryRead(out byte[]? line))
                {
                    batch.Add(line);
                }

                Volatile.Write(ref _inHand, batch.Count);

                while (batch.Count > 0)
                {
                    int sent = await SendBatchAsync(batch, pending).ConfigureAwait(false);
                    Interlocked.Add(ref _delivered, sent);
                    batch.RemoveRange(0, sent);
                    Volatile.Write(ref _inHand, batch.Count);
                    if (batch.Count == 0)
                    {
                        if (failing)
                        {
                            failing = false;
                            pause = FirstRetry;
                            EveRedisLog.SendResumed(_logger, Path);
                        }

                        break;
                    }

                    if (!failing)
                    {
                        failing = true;
                        EveRedisLog.SendFailed(_logger, Path, _lastError ?? "no reply", Buffered + batch.Count);
                    }

                    await Task.Delay(pause, abandon).ConfigureAwait(false);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LastRetry.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            // The shutdown timeout ran out: the batch in hand is counted with the buffer's rest.
            Interlocked.Add(ref _undelivered, batch.Count);
            Volatile.Write(ref _inHand, 0);
        }
    }

    /// <summary>Sends a batch; returns how many of its first lines the server confirmed (all, or up to the first failure).</summary>
    private async Task<int> SendBatchAsync(List<byte[]> batch, Task[] pending)
    {
        if (_options.Mode is EveRedisMode.LeftPush or EveRedisMode.RightPush)
        {
            // One command carries the whole batch: all of it is taken or none.
            var values = new RedisValue[batch.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = batch[i];
            }

            Task<long> push = _options.Mode == EveRedisMode.LeftPush ? _database.ListLeftPushAsync(_key, values) : _database.ListRightPushAsync(_key, values);
            return await Confirmed(push).ConfigureAwait(false) ? batch.Count : 0;
        }

        // Publish and XADD take one event each: the batch goes out as a pipeline, answered in order.
        for (int i = 0; i < batch.Count; i++)
        {
            pending[i] = _options.Mode == EveRedisMode.Publish
                ? _database.PublishAsync(_channel, batch[i])
                : _database.StreamAddAsync(_key, StreamField, batch[i], maxLength: _options.StreamMaxLength > 0 ? _options.StreamMaxLength : null, useApproximateMaxLength: !_options.StreamTrimExact);
        }

        int confirmed = 0;
        bool broken = false;
        for (int i = 0; i < batch.Count; i++)
        {
            // Every task is awaited, so none is left with an unobserved failure.
            bool ok = await Confirmed(pending[i]).ConfigureAwait(false);
            broken |= !ok;
            if (!broken)
            {
                confirmed++;
            }

            pending[i] = Task.CompletedTask;
        }

        return confirmed;
    }

    private async Task<bool> Confirmed(Task command)
    {
        try
        {
            await command.ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _lastError = e.Message;
            return false;
        }
    }
}
