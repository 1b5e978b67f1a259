namespace Capture.Hosting.Configuration;

/// <summary>What to do with a TLS session once it is encrypted (<c>app-layer.protocols.tls.encryption-handling</c>).</summary>
public enum TlsEncryptionHandling
{
    /// <summary><c>default</c> (Suricata 8: <c>track-only</c>): keep tracking the flow, stop inspecting content.</summary>
    Default,

    /// <summary><c>bypass</c>: bypass the flow.</summary>
    Bypass,

    /// <summary><c>full</c>: keep inspecting everything.</summary>
    Full,
}
