namespace FlowEngine.Flows;

/// <summary>How a flow was bypassed, as EVE's <c>flow.bypass</c> writes it.</summary>
public enum BypassKind : byte
{
    /// <summary>Not bypassed.</summary>
    None = 0,

    /// <summary><c>"local"</c>: the engine dropped the flow's packets early.</summary>
    Local = 1,

    /// <summary><c>"capture"</c>: the capture stopped delivering the flow.</summary>
    Capture = 2,
}
