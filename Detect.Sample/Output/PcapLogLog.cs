using Microsoft.Extensions.Logging;

namespace Detect.Sample.Output;

/// <summary>pcap-log's log messages.</summary>
internal static partial class PcapLogLog
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Error, Message = "pcap-log: cannot open {Path}: {Error}; the packets meant for it are lost")]
    public static partial void OpenFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "pcap-log: cannot remove {Path} past max-files: {Error}")]
    public static partial void RemoveFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "pcap-log: {Dropped} packet(s) not written: the writer fell behind the capture and its buffers were full")]
    public static partial void Dropped(ILogger logger, long dropped);
}
