namespace Detect.Sample.Output;

/// <summary>pcap-log's <c>conditional</c>: which packets are written.</summary>
internal enum PcapLogCondition
{
    /// <summary>Every packet detection sees (<c>all</c>, the default).</summary>
    All,

    /// <summary>The packets of a flow from its first alert on (<c>alerts</c>), the alerted packet included.</summary>
    Alerts,
}
