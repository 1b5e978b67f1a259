namespace Capture.Abstractions;

/// <summary>Why a capture bypass was not put in place.</summary>
public enum BypassFailure
{
    /// <summary>It was put in place.</summary>
    None = 0,

    /// <summary>The kernel map or hardware table is full.</summary>
    TableFull,

    /// <summary>The flow cannot be matched below user space (protocol, tunnel, address family, ...).</summary>
    Unsupported,

    /// <summary>The kernel or device refused for another reason; see the detail.</summary>
    Error,
}
