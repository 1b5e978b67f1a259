namespace Detect.Sample.Output;

/// <summary>pcap-log's <c>mode</c>: how the workers share the files.</summary>
internal enum PcapLogMode
{
    /// <summary>One sequence of files for all workers (<c>normal</c>, the default); the workers take turns at it.</summary>
    Normal,

    /// <summary>A sequence of files per worker (<c>multi</c>): no worker waits for another.</summary>
    Multi,
}
