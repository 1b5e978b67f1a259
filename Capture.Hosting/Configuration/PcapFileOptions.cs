using Capture.Abstractions;

namespace Capture.Hosting.Configuration;

/// <summary>Offline replay (<c>pcap-file:</c>). Defaults are Suricata's.</summary>
public sealed class PcapFileOptions
{
    /// <summary>Checksum validation (<c>checksum-checks</c>: yes, no, auto). Default auto.</summary>
    public ChecksumMode ChecksumChecks { get; set; } = ChecksumMode.Auto;
}
