namespace Capture.Hosting.Configuration;

/// <summary>
/// Where an eve-log with <c>filetype: redis</c> sends its events (<c>redis:</c>), with Suricata's keys
/// and defaults, plus what a fleet needs: authentication, TLS, a bounded buffer and a bounded shutdown.
/// </summary>
public sealed class EveRedisOptions
{
    /// <summary>Host name or address of the server (<c>server</c>); a path starting with <c>/</c> is a unix socket. Default 127.0.0.1.</summary>
    public string Server { get; set; } = "127.0.0.1";

    /// <summary>TCP port (<c>port</c>). Default 6379.</summary>
    public int Port { get; set; } = 6379;

    /// <summary>How events are written (<c>mode</c>).</summary>
    public EveRedisMode Mode { get; set; } = EveRedisMode.LeftPush;

    /// <summary>The list, channel or stream name (<c>key</c>). Default <c>suricata</c>.</summary>
    public string Key { get; set; } = "suricata";

    /// <summary>Send events in batches of <see cref="BatchSize"/> (<c>pipelining.enabled</c>); else one command at a time, each awaited.</summary>
    public bool Pipelining { get; set; }

    /// <summary>Events per batch when pipelining (<c>pipelining.batch-size</c>). Default 10.</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>Stream mode: trim the stream to about this many entries (<c>stream-maxlen</c>, <c>XADD MAXLEN ~</c>); 0 keeps all. Default 100000.</summary>
    public long StreamMaxLength { get; set; } = 100_000;

    /// <summary>Stream mode: trim exactly (<c>stream-trim-exact</c>, <c>MAXLEN =</c>) instead of approximately.</summary>
    public bool StreamTrimExact { get; set; }

    /// <summary>User name for <c>AUTH</c> (<c>username</c>, Redis 6 ACLs); null: the default user.</summary>
    public string? User { get; set; }

    /// <summary>Password for <c>AUTH</c> (<c>password</c>); null: no authentication.</summary>
    public string? Password { get; set; }

    /// <summary>Connect with TLS (<c>tls</c>).</summary>
    public bool Tls { get; set; }

    /// <summary>Events that wait for the server while it is slow or down (<c>buffer-events</c>); more are dropped and counted. Default 100000.</summary>
    public int BufferEvents { get; set; } = 100_000;

    /// <summary>The longest the run waits at its end for buffered events to reach the server (<c>shutdown-timeout</c>). Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A server that cannot be reached (or refuses the password) at start stops the run with an error (<c>require-at-start</c>); else it is a warning and events are buffered.</summary>
    public bool RequireAtStart { get; set; }
}
