namespace Capture.Abstractions;

/// <summary>What a capture plugin (or one of its sources) can do.</summary>
[Flags]
public enum CaptureCapabilities
{
    /// <summary>Nothing declared.</summary>
    None = 0,

    /// <summary>Captures live traffic from an interface.</summary>
    Live = 1,

    /// <summary>Reads recorded traffic (files).</summary>
    Offline = 2,

    /// <summary>Implements <see cref="IBypassStrategy"/>: can stop delivering chosen flows.</summary>
    Bypass = 4,

    /// <summary>Bypass is executed by a NIC, not by the host CPU.</summary>
    HardwareOffload = 8,

    /// <summary>Can forward or drop packets inline (IPS).</summary>
    Inline = 16,
}
