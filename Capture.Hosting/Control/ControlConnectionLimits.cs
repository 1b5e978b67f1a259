namespace Capture.Hosting.Control;

/// <summary>
/// How long and how many control-socket connections may stay open (<c>unix-command</c>'s
/// <c>idle-timeout</c>, <c>message-timeout</c> and <c>max-connections</c>). Without them a client
/// that connects and never finishes a request holds the connection and its memory for good.
/// </summary>
public sealed record ControlConnectionLimits
{
    /// <summary>The defaults: 300 s idle, 10 s for one request, 32 connections.</summary>
    public static ControlConnectionLimits Default { get; } = new();

    /// <summary>A connection with no request in progress is closed after this long without a byte. Default 300 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A request must be complete this long after its first byte, else the connection is closed. Default 10 s.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections served at once; more are answered NOK and closed. Default 32.</summary>
    public int MaxConnections { get; init; } = 32;
}
