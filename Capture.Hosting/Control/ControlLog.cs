using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Control;

/// <summary>Log messages of the control socket.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "control socket listening on {Path}")]
    public static partial void Listening(ILogger logger, string path);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "control socket: removed the stale socket file {Path}")]
    public static partial void RemovedStale(ILogger logger, string path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "control socket: client {Client} connected")]
    public static partial void ClientConnected(ILogger logger, int client);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "control socket: client {Client} sent {Command}")]
    public static partial void CommandReceived(ILogger logger, int client, string command);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "control socket: client {Client}: {Problem}")]
    public static partial void BadRequest(ILogger logger, int client, string problem);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "control socket: command {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "control socket: client {Client} left: {Reason}")]
    public static partial void ClientLeft(ILogger logger, int client, string reason);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "control socket: {MaxConnections} connections open (max-connections); refusing more ({Refused} refused so far)")]
    public static partial void ConnectionsRefused(ILogger logger, int maxConnections, long refused);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "control socket: accept failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, string error);
}
