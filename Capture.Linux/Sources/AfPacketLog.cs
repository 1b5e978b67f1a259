using Microsoft.Extensions.Logging;

namespace Capture.Linux.Sources;

/// <summary>Log messages of the af-packet sources.</summary>
internal static partial class AfPacketLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Source}: capturing on {Interface} (ifindex {Index}): {Blocks} blocks of {BlockSize} bytes{Fanout}")]
    public static partial void Opened(ILogger logger, string source, string @interface, int index, int blocks, int blockSize, string fanout);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Source}: interface {Interface} reported an error: {Error}")]
    public static partial void InterfaceError(ILogger logger, string source, string @interface, string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Source}: interface {Interface} is gone or was recreated; retrying every second")]
    public static partial void InterfaceLost(ILogger logger, string source, string @interface);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Source}: interface {Interface} is back (ifindex {Index}); capture resumed")]
    public static partial void InterfaceBack(ILogger logger, string source, string @interface, int index);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "{Source}: reopening {Interface} failed: {Error}")]
    public static partial void ReopenFailed(ILogger logger, string source, string @interface, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Source}: kernel is losing packets; emergency flush handed back {Packets} packets unread")]
    public static partial void EmergencyFlush(ILogger logger, string source, int packets);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "{Source}: poll failed: {Error}")]
    public static partial void PollFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{Source}: block {Block} held {Corrupt} malformed packet headers; rest of the block skipped")]
    public static partial void CorruptBlock(ILogger logger, string source, int block, int corrupt);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "{Source}: stopped: {Packets} packets, {Drops} kernel drops, {Errors} errors")]
    public static partial void Stopped(ILogger logger, string source, long packets, long drops, long errors);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Source}: capturing on {Interface} (ifindex {Index}): TPACKET_V2 ring of {Frames} frames of {FrameSize} bytes{Fanout}")]
    public static partial void OpenedFrames(ILogger logger, string source, string @interface, int index, int frames, int frameSize, string fanout);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{Source}: {Corrupt} frames from frame {Frame} on had malformed headers; skipped")]
    public static partial void CorruptFrames(ILogger logger, string source, int frame, int corrupt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Source}: packets longer than the {FrameSize}-byte frames of the TPACKET_V2 ring were truncated (segments merged by GRO or LRO?); turn them off (ethtool -K {Interface} gro off lro off) or set tpacket-v3: yes")]
    public static partial void FramesTruncated(ILogger logger, string source, string @interface, int frameSize);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "{Source}: capture thread failed")]
    public static partial void CaptureFailed(ILogger logger, string source, Exception exception);
}
