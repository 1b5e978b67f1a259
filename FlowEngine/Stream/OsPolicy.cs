namespace FlowEngine.Stream;

/// <summary>
/// How a host's TCP stack treats timestamps and RSTs, by Suricata's <c>host-os-policy</c> names; the
/// receiving host's policy decides whether a packet is valid. BSD is Suricata's default.
/// </summary>
public enum OsPolicy : byte
{
    /// <summary><c>bsd</c> (the default): a RST only at the next sequence number, a zero timestamp refused.</summary>
    Bsd = 0,

    /// <summary><c>bsd-right</c>.</summary>
    BsdRight,

    /// <summary><c>old-linux</c>: zero timestamps allowed; a RST anywhere in the window.</summary>
    OldLinux,

    /// <summary><c>linux</c>: timestamps one behind accepted; a RST anywhere in the window.</summary>
    Linux,

    /// <summary><c>old-solaris</c>.</summary>
    OldSolaris,

    /// <summary><c>solaris</c>: zero timestamps allowed, timestamps dropped when a packet has none; a RST anywhere in the window.</summary>
    Solaris,

    /// <summary><c>hpux10</c>.</summary>
    HpUx10,

    /// <summary><c>hpux11</c>: timestamps of out-of-order packets ignored; a RST at or after the next sequence number.</summary>
    HpUx11,

    /// <summary><c>irix</c>.</summary>
    Irix,

    /// <summary><c>macos</c>.</summary>
    MacOs,

    /// <summary><c>windows</c>: zero timestamps allowed.</summary>
    Windows,

    /// <summary><c>vista</c>: zero timestamps allowed.</summary>
    Vista,

    /// <summary><c>windows2k3</c>: zero timestamps allowed.</summary>
    Windows2k3,
}
