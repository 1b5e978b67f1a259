using Microsoft.Extensions.Logging;

namespace Capture.Pcap.Sources;

/// <summary>Log messages of the pcap capture source.</summary>
internal static partial class PcapLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Source}: reading {File} ({Format})")]
    public static partial void FileOpened(ILogger logger, string source, string file, string format);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{File}: {Problem} at byte offset {Offset}: {Detail}; the {Packets} packet record(s) before it were read, the rest of the file is skipped")]
    public static partial void FileDamaged(ILogger logger, string file, string problem, long offset, string detail, long packets);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{File}: link type {LinkType} is not decoded; its packets are counted as unsupported and skipped")]
    public static partial void UnsupportedLinkType(ILogger logger, string file, uint linkType);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Source}: skipping a file of the directory: {Reason}")]
    public static partial void FileFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Source}: skipping {File}: not a pcap or pcapng file")]
    public static partial void NotACaptureFile(ILogger logger, string source, string file);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "{Source}: capture failed: {Reason}")]
    public static partial void CaptureFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Source}: end of capture: {Packets} packets delivered, {Unsupported} of unsupported link types, {Errors} error(s)")]
    public static partial void EndOfCapture(ILogger logger, string source, long packets, long unsupported, long errors);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Source}: the reader is still blocked in a read of a pipe; it ends when the writer closes")]
    public static partial void ReaderStillBlocked(ILogger logger, string source);
}
