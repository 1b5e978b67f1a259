namespace Detect.Sample.Detection;

/// <summary>Per-flow detection state, kept in a flow-storage slot registered at start-up.</summary>
internal sealed class DetectionFlowState
{
    public TlsRecordTracker TlsToServer;
    public TlsRecordTracker TlsToClient;

    /// <summary>A pass rule matched: the flow is no longer inspected.</summary>
    public bool Passed { get; set; }

    /// <summary>Bypass was requested (rule, stream depth or TLS); the engine stops delivering the flow.</summary>
    public bool BypassRequested { get; set; }

    /// <summary>An alert was written for the flow.</summary>
    public bool Alerted { get; set; }

    /// <summary>TCP payload bytes seen client → server.</summary>
    public long StreamBytesToServer { get; set; }

    /// <summary>TCP payload bytes seen server → client.</summary>
    public long StreamBytesToClient { get; set; }
}
