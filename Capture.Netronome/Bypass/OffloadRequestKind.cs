namespace Capture.Netronome.Bypass;

/// <summary>What a request to the bypass manager asks for.</summary>
internal enum OffloadRequestKind
{
    /// <summary>Insert both halves of a flow (bounded queue; the worker waits a short bound).</summary>
    Insert,

    /// <summary>Read the final counters and delete both halves (control queue; the caller waits).</summary>
    Release,

    /// <summary>Start polling an interface's maps.</summary>
    Register,

    /// <summary>Stop polling an interface's maps before they are closed (the caller waits).</summary>
    Unregister,
}
