namespace Capture.Pcap.Files;

/// <summary>What reading the next record of a capture file gave.</summary>
internal enum RecordStatus
{
    /// <summary>A packet.</summary>
    Packet,

    /// <summary>The file ended cleanly after a whole record.</summary>
    EndOfFile,

    /// <summary>The file ends in the middle of a record.</summary>
    Truncated,

    /// <summary>A record header makes no sense; nothing after it can be trusted.</summary>
    Corrupt,
}
