namespace FlowEngine.Configuration;

/// <summary>
/// Sizing and timeouts of the flow engine (Suricata's <c>flow:</c>, <c>flow-timeouts:</c> and
/// <c>defrag:</c> sections). Defaults are Suricata's code defaults.
/// </summary>
public sealed class FlowEngineOptions
{
    /// <summary>Hash index buckets per worker (<c>flow.hash-size</c>), rounded up to a power of two and fixed for the run. Default 65536.</summary>
    public int HashSize { get; set; } = 65536;

    /// <summary>Flow records per worker made and touched at start (<c>flow.prealloc</c>); the table grows from there. Default 10000.</summary>
    public int Prealloc { get; set; } = 10000;

    /// <summary>The most memory the flow tables may grow to, bytes (<c>flow.memcap</c>): a cap, shared by the workers. Default 32 MiB.</summary>
    public long Memcap { get; set; } = 32L << 20;

    /// <summary>Percent of free flow records that ends emergency mode (<c>flow.emergency-recovery</c>). Default 30.</summary>
    public int EmergencyRecovery { get; set; } = 30;

    /// <summary>Per-protocol timeouts (<c>flow-timeouts:</c>).</summary>
    public FlowTimeoutTable Timeouts { get; set; } = FlowTimeoutTable.CreateDefault();

    /// <summary>IP defragmentation (<c>defrag:</c>).</summary>
    public DefragOptions Defrag { get; set; } = new();

    /// <summary>Worker threads when the capture does not decide (pcap replay). Default 1.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Track flows by VLAN ids (<c>vlan.use-for-tracking</c>). Default true.</summary>
    public bool VlanTracking { get; set; } = true;

    /// <summary>
    /// Track flows by tunnel depth (<c>decoder.recursion-level.use-for-tracking</c>): when false, a
    /// flow's packets on the wire and inside a tunnel are one flow, as in Suricata. Default true.
    /// </summary>
    public bool RecursionTracking { get; set; } = true;

    /// <summary>
    /// How often each worker runs the flow manager's pass, milliseconds of the worker's clock
    /// (packet time for offline captures, wall time for live ones). Default 1000.
    /// </summary>
    public int ManagerIntervalMilliseconds { get; set; } = 1000;

    /// <summary>The TCP stream tracker (<c>stream:</c>).</summary>
    public TcpStreamOptions Stream { get; set; } = new();

    /// <summary>Decoder limits and tunnel ports.</summary>
    public FlowEngine.Decode.DecoderOptions Decoder { get; set; } = new();
}
