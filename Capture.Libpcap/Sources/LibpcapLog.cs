using Microsoft.Extensions.Logging;

namespace Capture.Libpcap.Sources;

/// <summary>Log messages of the libpcap capture.</summary>
internal static partial class LibpcapLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Source}: capturing with libpcap {Version}: link type {LinkType}, snaplen {Snaplen}, promiscuous {Promiscuous}, filter '{Filter}'")]
    public static partial void Opened(ILogger logger, string source, string version, int linkType, int snaplen, bool promiscuous, string filter);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Source}: link type {LinkType} is not decoded; its packets are counted as unsupported and skipped")]
    public static partial void UnsupportedLinkType(ILogger logger, string source, int linkType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Source}: the capture failed: {Reason}; counted as an error, the interface is opened again every {RetrySeconds} s until it is back")]
    public static partial void CaptureFailed(ILogger logger, string source, string reason, int retrySeconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Source}: the interface is back; capturing again")]
    public static partial void Reopened(ILogger logger, string source);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Source}: not open yet: {Reason}")]
    public static partial void ReopenFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "{Source}: capture stopped: {Packets} packets delivered, {Unsupported} of an undecoded link type; libpcap ps_recv {Received}, ps_drop {Dropped}, ps_ifdrop {InterfaceDropped}; {Errors} error(s)")]
    public static partial void Stopped(ILogger logger, string source, long packets, long unsupported, long received, long dropped, long interfaceDropped, long errors);
}
