namespace Capture.Linux.Configuration;

/// <summary>Whether and how packets are copied to a peer interface (<c>copy-mode</c>).</summary>
public enum LiveInterfaceCopyMode
{
    /// <summary>No copy: passive IDS.</summary>
    None,

    /// <summary><c>ips</c>: forward to <c>copy-iface</c> unless dropped by a verdict.</summary>
    Ips,

    /// <summary><c>tap</c>: forward every packet to <c>copy-iface</c>.</summary>
    Tap,
}
