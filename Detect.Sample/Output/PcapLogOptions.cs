using Capture.Abstractions;
using Capture.Hosting.Configuration;

namespace Detect.Sample.Output;

/// <summary>
/// The pcap-log output (<c>outputs: - pcap-log:</c>), with Suricata's keys and defaults. Read from
/// the configuration here, by the host that writes it.
/// </summary>
internal sealed class PcapLogOptions
{
    /// <summary>The smallest <c>limit</c>: a file holds at least its header and a packet of some size.</summary>
    public const long MinLimit = 4096;

    // Suricata keys this host does not implement: refused when given, so that no one believes they act.
    private static readonly string[] Unsupported = ["dir", "ts-format", "use-stream-depth", "bpf-filter", "lz4-checksum", "lz4-level", "sguil-base-dir"];

    /// <summary>The base of the file names (<c>filename</c>), inside the log directory. Default <c>log.pcap</c>.</summary>
    public string FileName { get; init; } = "log.pcap";

    /// <summary>Bytes a file may reach before the next one is started (<c>limit</c>). Default 100 MiB, as Suricata's when the key is absent.</summary>
    public long Limit { get; init; } = 100L << 20;

    /// <summary>How many files are kept (<c>max-files</c>): past it the oldest is removed. 0 (absent): all are kept.</summary>
    public int MaxFiles { get; init; }

    /// <summary>One file sequence, or one per worker (<c>mode</c>).</summary>
    public PcapLogMode Mode { get; init; }

    /// <summary>Which packets are written (<c>conditional</c>).</summary>
    public PcapLogCondition Conditional { get; init; }

    /// <summary>Stop writing a flow's packets once a pass rule matched it (<c>honor-pass-rules</c>). Default no.</summary>
    public bool HonorPassRules { get; init; }

    /// <summary>Permissions of a new file, before the umask: eve-log's <c>filemode</c> (Suricata's pcap-log has no key of its own).</summary>
    public UnixFileMode FileMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>Reads the first <c>pcap-log</c> of <c>outputs:</c>.</summary>
    /// <param name="root">The configuration.</param>
    /// <returns>The options, or null when there is no enabled pcap-log.</returns>
    /// <exception cref="ConfigurationException">A key has a value this host cannot honour; the message names it.</exception>
    public static PcapLogOptions? Read(ConfigNode root)
    {
        if (root["outputs"] is not { Kind: ConfigNodeKind.Sequence } outputs)
        {
            return null;
        }

        foreach (ConfigNode item in outputs.Items)
        {
            if (item["pcap-log"] is not { Kind: ConfigNodeKind.Mapping } node || !node.GetBoolean("enabled", false))
            {
                continue;
            }

            foreach ((string key, ConfigNode value) in node.Entries)
            {
                if (Array.IndexOf(Unsupported, key) >= 0)
                {
                    throw value.Error($"pcap-log '{key}' is not supported by this host; remove it");
                }
            }

            _ = node.GetChoice("compression", "none", "none");
            string fileName = node.GetString("filename", "log.pcap") ?? "log.pcap";
            if (LogFileName.Problem(fileName) is { } problem)
            {
                throw node["filename"]!.Error(problem);
            }

            return new PcapLogOptions
            {
                FileName = fileName,
                Limit = node.GetSize("limit", 100L << 20, MinLimit),
                MaxFiles = (int)node.GetInt64("max-files", 0, 0, 1_000_000),
                Mode = string.Equals(node.GetChoice("mode", "normal", "normal", "multi"), "multi", StringComparison.Ordinal) ? PcapLogMode.Multi : PcapLogMode.Normal,
                Conditional = string.Equals(node.GetChoice("conditional", "all", "all", "alerts"), "alerts", StringComparison.Ordinal) ? PcapLogCondition.Alerts : PcapLogCondition.All,
                HonorPassRules = node.GetBoolean("honor-pass-rules", false),
            };
        }

        return null;
    }
}
