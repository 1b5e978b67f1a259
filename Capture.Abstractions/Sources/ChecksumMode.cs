namespace Capture.Abstractions;

/// <summary>Checksum validation, as Suricata's <c>-k</c> and <c>checksum-checks</c> spell it.</summary>
public enum ChecksumMode
{
    /// <summary>Decide from the capture (offloaded checksums are not validated).</summary>
    Auto,

    /// <summary>Validate every checksum.</summary>
    All,

    /// <summary>Validate none.</summary>
    None,

    /// <summary>Trust the kernel's verdict (AF_PACKET <c>checksum-checks: kernel</c>).</summary>
    Kernel,
}
