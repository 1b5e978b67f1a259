using Capture.Abstractions;

namespace Detect.Sample.CommandLine;

/// <summary>What the operator asked for on the command line (Suricata's spelling).</summary>
internal sealed class CommandLineOptions
{
    /// <summary><c>-c</c>: the YAML configuration; null for the shipped default.</summary>
    public string? ConfigFile { get; set; }

    /// <summary><c>-r</c>: a capture file or a directory of captures.</summary>
    public string? ReadPath { get; set; }

    /// <summary><c>-S</c>: a rules file that replaces the YAML's <c>rule-files</c>.</summary>
    public string? RulesFile { get; set; }

    /// <summary><c>--set key.path=value</c>, in order.</summary>
    public List<KeyValuePair<string, string>> Overrides { get; } = [];

    /// <summary><c>-k all|none</c>.</summary>
    public ChecksumMode Checksums { get; set; } = ChecksumMode.Auto;

    /// <summary><c>--af-packet[=iface]</c> was given.</summary>
    public bool AfPacket { get; set; }

    /// <summary><c>--pcap[=dev]</c> was given: live capture through libpcap.</summary>
    public bool Pcap { get; set; }

    /// <summary>The interface of <c>--af-packet=iface</c> or <c>--pcap=dev</c>; null for the YAML's interfaces.</summary>
    public string? Interface { get; set; }

    /// <summary><c>--capture-plugin NAME</c>.</summary>
    public string? CapturePlugin { get; set; }

    /// <summary><c>-l</c>: the log directory.</summary>
    public string? LogDirectory { get; set; }

    /// <summary><c>--plugin-dir</c>, in order.</summary>
    public List<string> PluginDirectories { get; } = [];

    /// <summary>Number of <c>-v</c>.</summary>
    public int Verbosity { get; set; }

    /// <summary><c>--pidfile</c>: where the process writes its id while it runs.</summary>
    public string? PidFile { get; set; }

    /// <summary><c>--init-errors-fatal</c>: a rule that cannot be loaded stops the start (Suricata's option).</summary>
    public bool InitErrorsFatal { get; set; }

    /// <summary><c>-T</c>: check the configuration, the plugin and the rules, then exit.</summary>
    public bool TestConfiguration { get; set; }

    /// <summary><c>-V</c> / <c>--version</c>.</summary>
    public bool Version { get; set; }

    /// <summary><c>--build-info</c>: print what this build is and can do, then exit.</summary>
    public bool BuildInfo { get; set; }

    /// <summary><c>--disable-detection</c>: no rules are loaded and nothing is inspected (flows, stats and anomalies are still written).</summary>
    public bool DisableDetection { get; set; }

    /// <summary><c>--simulate-ips</c>: act as if inline, for a capture read from a file (Suricata's testing option).</summary>
    public bool SimulateIps { get; set; }

    /// <summary><c>--firewall</c>: firewall mode (Suricata 8): firewall rules first, default drop.</summary>
    public bool Firewall { get; set; }

    /// <summary><c>--firewall-rules-exclusive</c>: load the firewall rules from this file only (implies firewall mode).</summary>
    public string? FirewallRulesFile { get; set; }

    /// <summary><c>--runmode</c>: Suricata's threading choice; null when not given.</summary>
    public RunMode? RunMode { get; set; }

    /// <summary><c>--help</c> / <c>-h</c>.</summary>
    public bool Help { get; set; }

    /// <summary>
    /// The capture plugin this run uses: <c>--capture-plugin</c>, else <c>af-packet</c> for <c>--af-packet</c>,
    /// <c>pcap</c> (live libpcap) for <c>--pcap</c>, <c>pcap-file</c> for <c>-r</c> and for no option at all.
    /// </summary>
    public string CaptureName => CapturePlugin ?? (AfPacket ? "af-packet" : Pcap ? "pcap" : "pcap-file");
}
