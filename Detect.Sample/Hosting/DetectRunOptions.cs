using Capture.Abstractions;
using Detect.Sample.CommandLine;

namespace Detect.Sample.Hosting;

/// <summary>What this run does, resolved from the command line and the configuration.</summary>
internal sealed class DetectRunOptions
{
    /// <summary>The capture plugin (<c>pcap-file</c>, <c>pcap</c>, <c>af-packet</c>, ...).</summary>
    public string CaptureName { get; set; } = "pcap-file";

    /// <summary>A file, directory or interface; null for the plugin's configured default.</summary>
    public string? Target { get; set; }

    /// <summary>Where eve.json goes (absolute).</summary>
    public string LogDirectory { get; set; } = string.Empty;

    /// <summary><c>-k</c>.</summary>
    public ChecksumMode Checksums { get; set; }

    /// <summary>Whether stdout is a terminal (progress is shown only then).</summary>
    public bool Interactive { get; set; }

    /// <summary>The configuration file this run uses.</summary>
    public string ConfigFile { get; set; } = string.Empty;

    /// <summary>The rules files this run loads.</summary>
    public IReadOnlyList<string> RuleFiles { get; set; } = [];

    /// <summary>Whether the rules came from <c>-S</c> (then a missing file is an error).</summary>
    public bool RulesFromCommandLine { get; set; }

    /// <summary><c>--init-errors-fatal</c>: a rule that fails to load stops the start.</summary>
    public bool InitErrorsFatal { get; set; }

    /// <summary><c>-T</c>: only check the configuration and the rules.</summary>
    public bool TestConfiguration { get; set; }

    /// <summary><c>--disable-detection</c>: no rules are read.</summary>
    public bool DisableDetection { get; set; }

    /// <summary><c>--simulate-ips</c>: drop rules drop as an inline sensor's would.</summary>
    public bool SimulateIps { get; set; }

    /// <summary><c>--firewall</c>: firewall mode, whatever the configuration says.</summary>
    public bool Firewall { get; set; }

    /// <summary><c>--firewall-rules-exclusive</c>: the only firewall rules file (full path); null to read <c>firewall.rule-files</c>.</summary>
    public string? FirewallRulesFile { get; set; }

    /// <summary><c>--runmode</c>, the threading choice; null for the default.</summary>
    public RunMode? RunMode { get; set; }
}
