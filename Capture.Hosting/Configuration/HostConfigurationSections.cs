using Capture.Abstractions;
using static Capture.Abstractions.ConfigKeys;

namespace Capture.Hosting.Configuration;

/// <summary>
/// The sections the host reads (and documents), declared as plugins declare theirs, plus the
/// Suricata sections it accepts and does not use so that a stock suricata.yaml loads quietly.
/// </summary>
internal static class HostConfigurationSections
{
    /// <summary>EVE event types Suricata writes; an unknown one in <c>types</c> warns and is dropped.</summary>
    public static readonly string[] EveTypes =
    [
        "alert", "anomaly", "http", "dns", "tls", "files", "drop", "smtp", "ftp", "ftp-data", "rdp", "nfs", "smb",
        "tftp", "ike", "dcerpc", "krb5", "bittorrent-dht", "snmp", "rfb", "sip", "quic", "dhcp", "ssh", "mqtt",
        "http2", "pgsql", "stats", "flow", "netflow", "metadata", "arp", "frame", "dnp3", "modbus", "enip", "ldap",
        "websocket", "pop3", "doh2", "mdns", "llmnr", "template",
    ];

    // Suricata's log levels, most severe first (declared before All, which reads it).
    private static readonly string[] LogLevels = ["error", "warning", "notice", "info", "perf", "config", "debug"];

    public static IReadOnlyList<ConfigKey> All { get; } = Declare();

    /// <summary>The outputs this host writes (eve-log, pcap-log).</summary>
    public static IReadOnlyList<string> SupportedOutputs { get; } = [.. OutputKeys().Where(k => !k.NotUsed).Select(k => k.Name)];

    /// <summary>Suricata's other outputs: declared so that they are accepted, and not written.</summary>
    public static IReadOnlyList<string> UnsupportedOutputs { get; } = [.. OutputKeys().Where(k => k.NotUsed).Select(k => k.Name)];

    private static IEnumerable<ConfigKey> OutputKeys() => All.Single(s => string.Equals(s.Name, "outputs", StringComparison.Ordinal)).Keys;

    private static ConfigKey[] Declare() =>
    [
        Mapping(
            "flow",
            "Flow table sizing, per worker",
            [
                Integer("hash-size", "65536", 1, int.MaxValue, "buckets of the hash index per worker, rounded up to a power of two"),
                Integer("prealloc", "10000", 0, int.MaxValue, "flow records per worker made and touched at start"),
                Size("memcap", "32mb", 1, long.MaxValue, "the most the flow tables may take; more than the machine's memory is refused"),
                Integer("emergency-recovery", "30", 1, 100, "% of the table's largest size free that ends emergency mode"),
                .. NotUsed("managers", "recyclers", "memcap-policy", "rate-tracking", "hash-seed"),
            ]),
        Mapping(
            "flow-timeouts",
            "Flow timeouts in seconds, per protocol",
            Timeouts("default", closed: "0", emergencyClosed: "0"),
            Timeouts("tcp", closed: "10", emergencyClosed: "5"),
            Timeouts("udp", closed: null, emergencyClosed: null),
            Timeouts("icmp", closed: null, emergencyClosed: null)),
        Mapping(
            "defrag",
            "IP defragmentation",
            [
                Size("memcap", "32mb", 1, long.MaxValue, "memory for fragments being reassembled"),
                Integer("trackers", "65535", 1, int.MaxValue, "datagrams being reassembled at once"),
                Integer("max-frags", "65535", 1, int.MaxValue, "fragments held at once"),
                Integer("timeout", "60", 1, 65535, "seconds an incomplete datagram is kept"),
                Boolean("enabled", "yes", "reassemble fragments (our addition)"),
                .. NotUsed("memcap-policy", "hash-size", "prealloc", "host-config"),
            ]),
        Mapping("vlan", "VLAN handling", Boolean("use-for-tracking", "yes", "VLAN ids are part of the flow key")),
        Mapping(
            "decoder",
            "Tunnels the decoder follows; a bypass filter follows the same ports",
            [
                Mapping(
                    "vxlan",
                    "VXLAN",
                    [
                        Boolean("enabled", "yes", "decode VXLAN"),
                        Text("ports", "4789", "UDP destination ports, up to 4: '4789', '[8472, 4789]' or a vars.port-groups variable ($VXLAN_PORTS)"),
                        .. NotUsed("reserved-bits-check"),
                    ]),
                Mapping(
                    "geneve",
                    "Geneve",
                    Boolean("enabled", "yes", "decode Geneve"),
                    Text("ports", "6081", "the UDP destination port (one): '6081' or a vars.port-groups variable ($GENEVE_PORTS)")),
                Mapping(
                    "recursion-level",
                    "Tunnel depth in the flow key",
                    Boolean("use-for-tracking", "yes", "the tunnel depth is part of the flow key: a flow's packets on the wire and inside a tunnel are two flows")),
                .. NotUsed("teredo", "max-layers", "ipv4", "ipv6", "erspan", "mpls"),
            ]),
        Mapping(
            "threading",
            "Workers of an offline capture, and the scheduling priority of the host's threads",
            [
                new ConfigKey("detect-thread-ratio", ConfigValueType.Number, "workers an offline capture is spread over = online CPUs × ratio, at least 1; absent: 1 worker")
                {
                    Minimum = 0,
                    Maximum = 1024,
                },
                Integer("worker-priority", null, -20, 19, "nice value of the host's threads (capture, workers, output) from just before the capture starts; below the process's own it needs root or CAP_SYS_NICE; absent: unchanged"),
                .. NotUsed("set-cpu-affinity", "autopin", "cpu-affinity", "stack-size"),
            ]),
        new ConfigKey("plugins", ConfigValueType.List, "plugin roots (directories), relative to the YAML file"),
        new ConfigKey("outputs", ConfigValueType.NamedList, "outputs; this host writes eve-log")
        {
            Keys =
            [
                new ConfigKey("eve-log", ConfigValueType.Mapping, "the EVE JSON log") { Keys = EveLog() },
                new ConfigKey("pcap-log", ConfigValueType.Mapping, "packets as pcap files (written by the host application, Detect.Sample)") { Keys = PcapLog() },
                new ConfigKey("fast", ConfigValueType.Mapping, "alerts as one line each (fast.log; written by the host application, Detect.Sample)") { Keys = [.. LineLog("fast.log"), .. NotUsed("ipv6-compress")] },
                new ConfigKey("stats", ConfigValueType.Mapping, "counters as Suricata's table (stats.log; written by the host application, Detect.Sample)")
                {
                    Keys =
                    [
                        .. LineLog("stats.log"),
                        Boolean("totals", "yes", "the counters merged over the workers (the only table written)"),
                        Boolean("threads", "no", "per-worker tables: not written"),
                        Boolean("null-values", "no", "write counters that are zero"),
                        .. NotUsed("deltas"),
                    ],
                },
                .. NotUsed(
                    "unified2-alert", "http-log", "tls-log", "tls-store", "alert-debug", "alert-prelude",
                    "syslog", "file-store", "tcp-data", "http-body-data", "lua", "drop", "file-log", "dns-log",
                    "alert-json-log"),
            ],
        },
        Mapping(
            "unix-command",
            "The control socket",
            Choice("enabled", "no", "open the socket; auto: only when capturing live, as Suricata", "yes", "no", "auto", "true", "false", "on", "off"),
            Text("filename", "suricata-command.socket", "socket path; relative names go to /var/run/suricata/"),
            Integer("idle-timeout", "300", 1, 86400, "seconds a connection with no request in progress is kept"),
            Integer("message-timeout", "10", 1, 3600, "seconds a request may take from its first byte"),
            Integer("max-connections", "32", 1, 1024, "connections served at once; more are answered NOK and closed")),
        Mapping(
            "stats",
            "Periodic statistics",
            [
                Boolean("enabled", "yes", "write statistics records"),
                Integer("interval", "8", 1, 86400, "seconds between statistics records"),
                Boolean("decoder-events", "yes", "count decoder events"),
                Text("decoder-events-prefix", "decoder.event", "prefix of decoder event counters"),
                Boolean("stream-events", "no", "count stream events"),
                .. NotUsed("exception-policy"),
            ]),
        Mapping(
            "host-os-policy",
            "The TCP stack each host has, by address or prefix: the receiving host's decides on timestamps and RSTs (a host in none is bsd)",
            [.. new[] { "windows", "bsd", "bsd-right", "old-linux", "linux", "old-solaris", "solaris", "hpux10", "hpux11", "irix", "macos", "vista", "windows2k3" }
                .Select(name => new ConfigKey(name, ConfigValueType.List, $"addresses or prefixes of {name} hosts"))]),
        Text("default-rule-path", null, "directory relative rule files are found in"),
        new ConfigKey("rule-files", ConfigValueType.List, "rule files; relative names are joined to default-rule-path, else to the YAML file's directory"),
        Text("reputation-categories-file", null, "IP reputation categories (id,shortname,description) for the iprep keyword; needs reputation-files"),
        new ConfigKey("reputation-files", ConfigValueType.List, "IP reputation files (address[/bits],category,score); relative names are joined to default-reputation-path"),
        Text("default-reputation-path", null, "directory relative reputation files are found in"),
        Mapping(
            "stream",
            "TCP stream settings this host uses",
            [
                Boolean("bypass", "no", "bypass a flow when its reassembly depth is reached"),
                Boolean("midstream", "no", "start TCP sessions on packets after the handshake"),
                Boolean("async-oneside", "no", "track TCP sessions seen one way only"),
                Text("inline", "auto", "the stream tracker sits inline: yes, no, or auto (inline in IPS mode, --simulate-ips)"),
                Boolean("drop-invalid", "yes", "inline, drop packets the stream tracker rejects (drop reason \"stream error\")"),
                Boolean("liberal-timestamps", "no", "accept TCP timestamps off by one whatever the host"),
                Mapping(
                    "reassembly",
                    "Reassembly",
                    [
                        Size("depth", "1mb", 0, long.MaxValue, "bytes inspected per direction; 0 is unlimited"),
                        .. NotUsed(
                            "memcap", "memcap-policy", "toserver-chunk-size", "toclient-chunk-size", "randomize-chunk-size", "randomize-chunk-range",
                            "raw", "segment-prealloc", "check-overlap-different-data", "max-regions", "urgent", "zero-copy-size"),
                    ]),
                Choice("midstream-policy", null, "what happens to a TCP flow picked up without its SYN (written by the host application); absent: exception-policy", "auto", "ignore", "bypass", "pass-flow", "drop-flow", "drop-packet", "reject"),
                .. NotUsed(
                    "memcap", "memcap-policy", "checksum-validation",
                    "prealloc-sessions", "max-synack-queued", "max-sessions", "reassembly-memcap-policy"),
            ]),
        new ConfigKey("app-layer", ConfigValueType.Mapping, "Application layer; only the TLS encryption handling is read")
        {
            OpenKeys = true,
            Keys =
            [
                new ConfigKey("protocols", ConfigValueType.Mapping, "protocols")
                {
                    OpenKeys = true,
                    Keys =
                    [
                        new ConfigKey("tls", ConfigValueType.Mapping, "TLS")
                        {
                            OpenKeys = true,
                            Keys = [Choice("encryption-handling", "default", "what happens to a flow once TLS is encrypted (track-only counts as default)", "default", "track-only", "bypass", "full")],
                        },
                    ],
                },
            ],
        },
        Text("default-log-dir", null, "the log directory when -l is not given"),
        Choice("exception-policy", "auto", "the master switch of the exception policies (only stream.midstream-policy is applied here); auto: drop-flow with --simulate-ips, else ignore", "auto", "ignore", "bypass", "pass-flow", "drop-flow", "drop-packet", "reject"),
        Text("sensor-name", null, "the sensor's name, written as \"host\" in every EVE event (as Suricata writes it); absent: no host field"),
        Mapping(
            "logging",
            "The host's log entries: the console (standard error) and suricata.log (written by the host application, Detect.Sample)",
            [
                Choice("default-log-level", "notice", "the outputs' level unless they set their own; each -v raises it a step (info, config, debug)", LogLevels),
                new ConfigKey("outputs", ConfigValueType.NamedList, "where entries go; with none enabled, the console")
                {
                    Keys =
                    [
                        Mapping(
                            "console",
                            "standard error, in the host's line format",
                            [
                                Boolean("enabled", "yes", "write entries to standard error"),
                                Choice("level", null, "this output's level; absent: default-log-level", LogLevels),
                                .. NotUsed("type", "format"),
                            ]),
                        Mapping(
                            "file",
                            "a log file in the log directory (-l), appended to; SIGHUP reopens it",
                            Boolean("enabled", "no", "write the file"),
                            Choice("level", null, "this output's level; absent: default-log-level", LogLevels),
                            Text("filename", "suricata.log", "a plain file name inside the log directory"),
                            Choice("type", "regular", "regular: lines in format; json: one engine event per line", "regular", "json"),
                            Text("format", "[%i - %m] %z %d: %S: %M", "the line's % codes (%z time, %t legacy time, %p pid, %i thread id, %m thread name, %d/%D level, %S category, %n event, %l event id, %M message)")),
                        Mapping(
                            "syslog",
                            "syslog: not written; enabled: yes warns once",
                            [
                                Boolean("enabled", "no", "not supported by this host: yes warns once and nothing goes to syslog"),
                                .. NotUsed("facility", "format", "type", "level"),
                            ]),
                    ],
                },
                .. NotUsed("default-log-format", "default-output-filter", "stacktrace-on-signal"),
            ]),
        .. NotUsed(
            "host-mode", "runmode", "autofp-scheduler", "default-packet-size", "max-pending-packets",
            "action-order", "classification-file", "reference-config-file", "threshold-file", "detect", "detect-engine",
            "mpm-algo", "spm-algo", "profiling", "pcre", "engine-analysis", "luajit", "lua", "coredump",
            "host", "ippair", "security", "asn1-max-frames", "datasets",
            "geoip-database", "magic-file", "legacy", "run-as", "pid-file", "daemon-directory", "umask",
            "livedev", "capture", "heartbeat", "firewall", "packet-alert-max", "reject", "http", "ja3-fingerprints",
            "ja4-fingerprints", "app-layer-event", "multi-detect", "suricata-version", "plugins-dir"),
    ];

    private static ConfigKey Timeouts(string protocol, string? closed, string? emergencyClosed)
    {
        const string TcpOnly = "applies to default and tcp only; ignored";
        ConfigKey Seconds(string name, string defaultValue, string description) => Integer(name, defaultValue, 0, int.MaxValue, description);
        ConfigKey Closed(string name, string? defaultValue, string description) =>
            defaultValue is null ? new ConfigKey(name, ConfigValueType.Integer, description) { IgnoredWarning = $"'{name}' {TcpOnly}" } : Seconds(name, defaultValue, description);
        return Mapping(
            protocol,
            $"{protocol} timeouts, seconds",
            Seconds("new", "30", "a flow not yet established"),
            Seconds("established", "300", "an established flow"),
            Closed("closed", closed, "a closed flow"),
            Seconds("bypassed", "100", "a bypassed flow; also how often its capture is asked whether it was seen"),
            Seconds("emergency-new", "10", "new, in emergency mode (longer than new: a tenth of new)"),
            Seconds("emergency-established", "100", "established, in emergency mode"),
            Closed("emergency-closed", emergencyClosed, "closed, in emergency mode"),
            Seconds("emergency-bypassed", "50", "bypassed, in emergency mode"));
    }

    private static ConfigKey[] EveLog() =>
    [
        Boolean("enabled", "no", "write the log (without an outputs: section an eve-log with the defaults is written)"),
        Choice("filetype", "regular", "regular (or file): a file in the log directory; redis: the server in redis:; the others fail as not supported by this host", "regular", "file", "syslog", "unix_dgram", "unix_stream", "redis"),
        Mapping(
            "redis",
            "filetype: redis: where events go",
            Text("server", "127.0.0.1", "host name or address; a path starting with / is a unix socket"),
            Integer("port", "6379", 1, 65535, "TCP port"),
            Choice("mode", "list", "list|lpush: LPUSH; rpush: RPUSH; channel|publish: PUBLISH; stream|xadd: XADD key MAXLEN ~ n * eve EVENT", EveRedisBinder.Modes),
            Text("key", "suricata", "the list, channel or stream name"),
            Mapping(
                "pipelining",
                "send events in batches",
                Boolean("enabled", "no", "batch-size events per round trip; no: one command per event, each awaited"),
                Integer("batch-size", "10", 1, 100_000, "events per batch")),
            Integer("stream-maxlen", "100000", 0, long.MaxValue, "stream mode: entries the stream is trimmed to; 0 keeps all"),
            Boolean("stream-trim-exact", "no", "stream mode: trim exactly (MAXLEN =) rather than approximately (MAXLEN ~)"),
            Text("username", null, "AUTH user (Redis 6 ACL); absent: the default user"),
            Text("password", null, "AUTH password; absent: no authentication"),
            Boolean("tls", "no", "connect with TLS"),
            Integer("buffer-events", "100000", 1, 100_000_000, "events that wait while the server is slow or down; more are dropped and counted (eve.redis.dropped)"),
            Integer("shutdown-timeout", "5", 0, 3600, "seconds the run's end waits for buffered events to reach the server; what is left is reported as not delivered"),
            Boolean("require-at-start", "no", "an unreachable server or a refused password at start stops the run (exit 1); no: a warning, and events are buffered"),
            NotUsed("async").Single()),
        Text("filename", "eve.json", "a plain file name inside the log directory (-l)"),
        Boolean("append", "yes", "append to an existing file; no empties it at the first event written"),
        Text("filemode", "640", "octal permissions of a file the host creates (before the umask)"),
        new ConfigKey("flush-interval", ConfigValueType.Number, "seconds an event may wait in the write buffer; 0: only when the buffer is full") { Default = "1", Minimum = 0, Maximum = 60 },
        Choice("write-error", "continue", "a failed write: continue (logged once, lost events counted) or stop the run, exit 1", "continue", "stop"),
        Boolean("community-id", "no", "add community_id to flow and alert records"),
        Integer("community-id-seed", "0", 0, ushort.MaxValue, "seed of the community id hash"),
        Boolean("ethernet", "no", "add MAC addresses to records"),
        new ConfigKey("types", ConfigValueType.List, "event types; an item may carry settings (- alert: { tagged-packets: yes }); an unknown type warns") { Default = "alert, flow, stats" },
        .. NotUsed("threaded", "buffer-size", "rotate-interval", "xff", "metadata", "prefix", "identity", "facility", "level", "pcap-file", "tenant-id"),
    ];

    // The keys Suricata's line logs (fast, stats) share.
    private static ConfigKey[] LineLog(string fileName) =>
    [
        Boolean("enabled", "no", "write the log"),
        Text("filename", fileName, "file name inside the log directory (-l)"),
        Boolean("append", "yes", "append to an existing file; no: empty it at the first write"),
        Choice("filetype", "regular", "only regular files", "regular"),
    ];

    // Suricata's pcap-log keys; those that would change what is written and that the writer does not
    // do (dir, ts-format, use-stream-depth, bpf-filter, lz4) are refused by the writer, not ignored.
    private static ConfigKey[] PcapLog() =>
    [
        Boolean("enabled", "no", "write the packets of the run as pcap files"),
        Text("filename", "log.pcap", "base name inside the log directory (-l): normal writes FILENAME.SECONDS; multi replaces %n (worker), %t (seconds)"),
        Size("limit", "100mb", 4096, long.MaxValue, "bytes after which a new file is started"),
        Integer("max-files", "0", 0, 1_000_000, "files kept; older ones are removed (0: all kept)"),
        Choice("mode", "normal", "normal: one file sequence for all workers; multi: one per worker", "normal", "multi"),
        Choice("conditional", "all", "all packets, or only the packets of flows with an alert, from the alert on", "all", "alerts"),
        Boolean("honor-pass-rules", "no", "stop writing a flow at its pass rule"),
        Choice("compression", "none", "only none", "none"),
        Text("dir", null, "refused: files go to the log directory"),
        Text("ts-format", null, "refused"),
        Text("use-stream-depth", null, "refused"),
        Text("bpf-filter", null, "refused"),
        Text("lz4-checksum", null, "refused"),
        Text("lz4-level", null, "refused"),
        Text("sguil-base-dir", null, "refused"),
    ];
}
