using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>Offline replay (<c>pcap-file:</c>). Defaults are Suricata's.</summary>
public sealed class PcapFileOptions
{
    /// <summary>Checksum validation (<c>checksum-checks</c>: yes, no, auto). Default auto.</summary>
    public ChecksumMode ChecksumChecks { get; set; } = ChecksumMode.Auto;

    /// <summary>Descend into subdirectories when <c>-r</c> names a directory (<c>recursive</c>). Default no.</summary>
    public bool Recursive { get; set; }

    /// <summary>Keep watching a directory for new files (<c>continuous</c>). Default no.</summary>
    public bool Continuous { get; set; }

    /// <summary>Delete each file once processed (<c>delete-when-done</c>). Default no.</summary>
    public bool DeleteWhenDone { get; set; }
}
