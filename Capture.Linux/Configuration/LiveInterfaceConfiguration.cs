using System.Globalization;
using Capture.Abstractions;
using Capture.Linux.Xdp.Filter;

namespace Capture.Linux.Configuration;

/// <summary>
/// Reads a Suricata-style live-capture section (<c>af-packet:</c>, <c>netronome:</c>): a list of
/// <c>- interface: NAME</c> entries. Every key comes from the interface's entry, else from the
/// <c>interface: default</c> entry, else from the code default; an interface with no entry of
/// its own takes the default entry whole. Capture plugins call this; it needs nothing but the BCL.
/// </summary>
public static class LiveInterfaceConfiguration
{
    /// <summary>The name of the entry every interface falls back to.</summary>
    public const string DefaultInterface = "default";

    /// <summary>
    /// The keys of an interface entry, declared for the host (which checks every key of a plugin's
    /// section against them and documents them) and read by <see cref="Read"/>.
    /// </summary>
    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        ConfigKeys.Text("interface", null, "interface name, or default: the entry every interface falls back to"),
        new ConfigKey("threads", ConfigValueType.Integer, "fanout sockets; auto: online CPUs for cluster_flow, receive queues for cluster_qm, else 1")
        {
            Default = "auto",
            Minimum = 1,
            Maximum = MaxThreads,
            Allowed = ["auto"],
        },
        ConfigKeys.Integer("cluster-id", "1, 2, ...", 0, ushort.MaxValue, "fanout group; interfaces that set none are numbered in order from 1"),
        ConfigKeys.Choice(
            "cluster-type", "cluster_flow", "fanout mode; cluster_rollover warns and means cluster_flow",
            "cluster_flow", "cluster_cpu", "cluster_qm", "cluster_random", "cluster_round_robin", "cluster_ebpf", "cluster_rollover"),
        ConfigKeys.Boolean("defrag", "yes for cluster_flow without copy-mode, else no", "kernel defragmentation before fanout"),
        new ConfigKey("rollover", ConfigValueType.Boolean, "deprecated") { IgnoredWarning = "'rollover' is deprecated and ignored" },
        ConfigKeys.Boolean("mmap-locked", "no", "lock the ring in memory"),
        ConfigKeys.Boolean("tpacket-v3", "yes without copy-mode or bypass, else no", "yes: TPACKET_V3 rings of blocks, handed over when full or at block-timeout; no: a TPACKET_V2 ring of frames, each packet handed over at once and processed on the ring's thread"),
        new ConfigKey("use-mmap", ConfigValueType.Boolean, "removed") { IgnoredWarning = "'use-mmap' was removed (mmap is always used) and is ignored" },
        ConfigKeys.Integer("ring-size", "auto (1024 × 2 / threads; × 8 with tpacket-v3: no)", 1, MaxRingFrames, "ring frames per socket"),
        ConfigKeys.Size("block-size", "page size × 32", 1, MaxBlockSize, "TPACKET_V3 block size, a multiple of the page size"),
        ConfigKeys.Integer("block-timeout", "10", 1, 60000, "milliseconds before the kernel retires a block that is not full"),
        ConfigKeys.Size("v2-block-size", "0 (auto: page size × 32)", 0, MaxBlockSize, "TPACKET_V2 block size (the unit the kernel allocates frames in), a multiple of the page size"),
        ConfigKeys.Boolean("use-emergency-flush", "no", "hand frames back unprocessed while the kernel reports loss"),
        ConfigKeys.Size("buffer-size", "0 (kernel default)", 0, int.MaxValue, "socket receive buffer (SO_RCVBUF)"),
        ConfigKeys.Boolean("disable-promisc", "no", "leave the interface out of promiscuous mode"),
        ConfigKeys.Choice("checksum-checks", "kernel", "checksum validation", "kernel", "yes", "no", "auto"),
        ConfigKeys.Boolean("enable-hwtimestamp", "no", "hardware timestamps"),
        ConfigKeys.Text("bpf-filter", null, "pcap filter expression"),
        ConfigKeys.Choice("copy-mode", "none", "copy to a peer interface; ips and tap need copy-iface", "none", "ips", "tap"),
        ConfigKeys.Text("copy-iface", null, "the peer interface of copy-mode; must differ from interface"),
        ConfigKeys.Text("ebpf-lb-file", null, "eBPF load-balancer object (with cluster_ebpf)"),
        ConfigKeys.Text("ebpf-filter-file", null, "eBPF socket filter object"),
        ConfigKeys.Boolean("bypass", "no", "bypass flows in the kernel through the XDP filter's maps"),
        ConfigKeys.Text("xdp-filter-file", null, "XDP filter object; none: the built-in filter"),
        ConfigKeys.Choice("xdp-mode", "soft", "where the XDP filter runs", "soft", "driver", "hw"),
        ConfigKeys.Boolean("use-percpu-hash", "yes", "per-CPU flow maps (hardware offload needs no)"),
        ConfigKeys.Boolean("no-percpu-hash", "no", "the inverse of use-percpu-hash (older spelling, still accepted)"),
        ConfigKeys.Boolean("pinned-maps", "no", "pin the maps under /sys/fs/bpf so they outlive the process"),
        ConfigKeys.Text("pinned-maps-name", null, "a map whose pinned presence is checked"),
        new ConfigKey("xdp-cpu-redirect", ConfigValueType.List, "CPUs the XDP filter may redirect to: numbers, ranges (\"1-17\") or \"all\""),
        ConfigKeys.Integer("bypass-map-size", "32768", 1, MaxMapFlows, "flows each bypass flow map can hold (our addition)"),
        ConfigKeys.Boolean("xdp-replace", "no", "replace an XDP program already on the interface (our addition)"),
        ConfigKeys.Boolean("xdp-bypass-rules", "yes", "with bypass: header-only bypass rules go into the XDP filter, which bypasses their flows at the first matching packet (our addition; docs/XDP.md)"),
        ConfigKeys.Mapping(
            "xdp-chain",
            "share the XDP hook with other programs through pinned program arrays (our addition; docs/XDP.md, Chaining)",
            ConfigKeys.Text("pin", null, "the filter's pinned program array: packets it does not drop go by tail call to the first program in its slots (empty slots: XDP_PASS); created when missing; one per interface (two interfaces on one pin are refused)"),
            new ConfigKey("next", ConfigValueType.List, "pinned programs put in slots 0, 1, ... of pin at start (at most 8) and taken out at stop"),
            ConfigKeys.Text("join", null, "another root's pinned program array: the filter takes a slot there instead of attaching to the interface"),
            ConfigKeys.Integer("join-index", "0", 0, MaxChainSlot, "the slot of join the filter takes")),
    ];

    private const int MaxThreads = 1024;
    private const int MaxRingFrames = 1 << 24;
    private const long MaxBlockSize = 1L << 30;
    private const int MaxMapFlows = 1 << 24;
    private const int MaxChainSlot = 1 << 20;

    /// <summary>Declares a live-capture section: a list of interface entries with <see cref="Keys"/>.</summary>
    /// <param name="section">The section name (<c>af-packet</c>).</param>
    /// <param name="description">One line: what reads it.</param>
    /// <param name="keys">The keys; <see cref="Keys"/> unless a plugin changes a default.</param>
    /// <returns>The declaration.</returns>
    public static ConfigKey Declare(string section, string description, IReadOnlyList<ConfigKey>? keys = null) =>
        new(section, ConfigValueType.InterfaceList, description) { Keys = keys ?? Keys };

    /// <summary>
    /// Reads the interfaces of <paramref name="section"/>.
    /// </summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="section">The section name, e.g. <c>af-packet</c>.</param>
    /// <param name="onlyInterface">
    /// One interface to read (<c>--af-packet=eth0</c>): its entry, else the default entry, else code
    /// defaults. Null: every interface listed in the section (the default entry excluded).
    /// </param>
    /// <param name="warn">Receives warnings about values (a deprecated cluster type) naming file, line and key; may be null. Unknown keys are the host's to report (see <see cref="Keys"/>).</param>
    /// <returns>The options, one per interface, in file order.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line, key and what is allowed.</exception>
    public static IReadOnlyList<LiveInterfaceOptions> Read(ConfigNode root, string section, string? onlyInterface, Action<string>? warn)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(section);
        warn ??= static _ => { };

        ConfigNode? list = root[section];
        ConfigNode? defaults = null;
        var entries = new List<(string Name, ConfigNode Node)>();
        if (list is not null)
        {
            if (list.Kind != ConfigNodeKind.Sequence)
            {
                throw list.Error("expected a list of '- interface: <name>' entries");
            }

            foreach (ConfigNode item in list.Items)
            {
                if (item.Kind != ConfigNodeKind.Mapping)
                {
                    throw item.Error("expected an entry '- interface: <name>' with its options");
                }

                string name = ReadInterfaceName(item);
                if (string.Equals(name, DefaultInterface, StringComparison.Ordinal))
                {
                    if (defaults is not null)
                    {
                        throw item.Error($"a second 'interface: default' entry; the first is at {defaults.Location}");
                    }

                    defaults = item;
                    continue;
                }

                foreach ((string otherName, ConfigNode other) in entries)
                {
                    if (string.Equals(otherName, name, StringComparison.Ordinal))
                    {
                        throw item.Error($"interface '{name}' is listed twice; the first entry is at {other.Location}");
                    }
                }

                entries.Add((name, item));
            }
        }

        var result = new List<LiveInterfaceOptions>();
        int nextClusterId = 1;
        if (onlyInterface is not null)
        {
            ConfigNode? entry = null;
            foreach ((string name, ConfigNode node) in entries)
            {
                if (string.Equals(name, onlyInterface, StringComparison.Ordinal))
                {
                    entry = node;
                }
            }

            result.Add(Build(onlyInterface, entry, defaults, ref nextClusterId, warn));
        }
        else
        {
            foreach ((string name, ConfigNode node) in entries)
            {
                result.Add(Build(name, node, defaults, ref nextClusterId, warn));
            }

            RefuseSharedChainPins(entries, defaults, result);
        }

        return result;
    }

    /// <summary>
    /// A program array pin (<c>xdp-chain.pin</c>) is one filter's chain: its next programs, emptied
    /// (and the array unpinned) when that filter stops. Two interfaces on one pin, often from a
    /// <c>default</c> entry, would share and clobber it, so the second is refused, naming both.
    /// </summary>
    private static void RefuseSharedChainPins(List<(string Name, ConfigNode Node)> entries, ConfigNode? defaults, List<LiveInterfaceOptions> result)
    {
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < result.Count; i++)
        {
            if (result[i].XdpChainPin is not { } pin || !pin.StartsWith('/'))
            {
                continue; // a relative path is refused with its own message when the filter starts
            }

            string path = ChainPinOwners.Canonical(pin);
            if (!owners.TryAdd(path, i))
            {
                LiveInterfaceOptions first = result[owners[path]];
                ConfigNode node = PinNode(entries[i].Node, defaults)!;
                ConfigNode firstNode = PinNode(entries[owners[path]].Node, defaults)!;
                string where = ReferenceEquals(node, firstNode) ? "the 'default' entry sets it for both" : $"{first.Interface}'s is set at {firstNode.Location}";
                throw node.Error(
                    $"{pin} is the program array of both {first.Interface} and {result[i].Interface} ({where}): " +
                    "each interface's filter roots a chain of its own there, and the first to stop would empty the other's slots. " +
                    $"Give each interface a pin of its own (e.g. /sys/fs/bpf/chain/{result[i].Interface}); a program can be listed in several arrays");
            }
        }
    }

    // As Build takes it: the entry's xdp-chain mapping whole, else the default entry's.
    private static ConfigNode? PinNode(ConfigNode entry, ConfigNode? defaults) => (entry["xdp-chain"] ?? defaults?["xdp-chain"])?["pin"];

    private static string ReadInterfaceName(ConfigNode item)
    {
        if (!item.TryGet("interface", out ConfigNode? nameNode))
        {
            throw item.Error("entry has no 'interface' key; expected '- interface: <name>' (or 'default')");
        }

        if (nameNode.Kind != ConfigNodeKind.Scalar || string.IsNullOrWhiteSpace(nameNode.Value))
        {
            throw nameNode.Error("expected an interface name or 'default'");
        }

        return nameNode.Value.Trim();
    }

    private static LiveInterfaceOptions Build(string name, ConfigNode? entry, ConfigNode? defaults, ref int nextClusterId, Action<string> warn)
    {
        ConfigNode? Lookup(string key) => entry?[key] ?? defaults?[key];

        var options = new LiveInterfaceOptions
        {
            Interface = name,
            Location = entry?.Location ?? defaults?.Location ?? "<code defaults>",
        };

        if (Lookup("threads") is { } threads)
        {
            options.Threads = IsWord(threads, "auto") ? 0 : (int)AsInteger(threads, 1, MaxThreads, " or 'auto'");
        }

        if (Lookup("cluster-id") is { } clusterId)
        {
            options.ClusterId = (int)AsInteger(clusterId, 0, ushort.MaxValue, string.Empty);
        }
        else
        {
            options.ClusterId = nextClusterId++;
        }

        if (Lookup("cluster-type") is { } clusterType)
        {
            string type = Choice(clusterType, "cluster_flow", "cluster_cpu", "cluster_qm", "cluster_random", "cluster_round_robin", "cluster_ebpf", "cluster_rollover");
            if (string.Equals(type, "cluster_rollover", StringComparison.Ordinal))
            {
                warn($"{clusterType.Location}: {clusterType.Path}: cluster_rollover is deprecated; using cluster_flow");
            }

            options.ClusterType = type switch
            {
                "cluster_cpu" => LiveInterfaceClusterType.Cpu,
                "cluster_qm" => LiveInterfaceClusterType.QueueMapping,
                "cluster_random" => LiveInterfaceClusterType.Random,
                "cluster_round_robin" => LiveInterfaceClusterType.RoundRobin,
                "cluster_ebpf" => LiveInterfaceClusterType.Ebpf,
                _ => LiveInterfaceClusterType.Flow,
            };
        }

        if (Lookup("copy-mode") is { } copyMode)
        {
            options.CopyMode = Choice(copyMode, "none", "ips", "tap") switch
            {
                "ips" => LiveInterfaceCopyMode.Ips,
                "tap" => LiveInterfaceCopyMode.Tap,
                _ => LiveInterfaceCopyMode.None,
            };
        }

        options.CopyInterface = Text(Lookup("copy-iface"));
        if (options.CopyMode != LiveInterfaceCopyMode.None)
        {
            ConfigNode modeNode = Lookup("copy-mode")!;
            if (options.CopyInterface is null)
            {
                throw modeNode.Error($"copy-mode {modeNode.Value} needs 'copy-iface: <peer interface>'");
            }

            if (string.Equals(options.CopyInterface, name, StringComparison.Ordinal))
            {
                ConfigNode peer = Lookup("copy-iface")!;
                throw peer.Error($"copy-iface must name another interface than '{name}'");
            }
        }

        options.Defrag = Lookup("defrag") is { } defrag
            ? defrag.AsBoolean()
            : options.ClusterType == LiveInterfaceClusterType.Flow && options.CopyMode == LiveInterfaceCopyMode.None;
        options.MmapLocked = Lookup("mmap-locked")?.AsBoolean() ?? false;

        if (Lookup("ring-size") is { } ringSize)
        {
            options.RingSize = (int)AsInteger(ringSize, 1, MaxRingFrames, string.Empty);
        }

        if (Lookup("block-size") is { } blockSize)
        {
            int page = Environment.SystemPageSize;
            long bytes = blockSize.AsSize(page, MaxBlockSize);
            if (bytes % page != 0)
            {
                throw blockSize.Error($"{blockSize.Value} is not a multiple of the page size ({page} bytes); expected e.g. {page << 5}");
            }

            options.BlockSize = (int)bytes;
        }

        if (Lookup("block-timeout") is { } blockTimeout)
        {
            options.BlockTimeout = (int)AsInteger(blockTimeout, 1, 60000, " (milliseconds)");
        }

        if (Lookup("v2-block-size") is { } v2BlockSize)
        {
            int page = Environment.SystemPageSize;
            long bytes = v2BlockSize.AsSize(0, MaxBlockSize);
            if (bytes % page != 0)
            {
                throw v2BlockSize.Error($"{v2BlockSize.Value} is not a multiple of the page size ({page} bytes); expected 0 (auto) or e.g. {page << 5}");
            }

            options.V2BlockSize = (int)bytes;
        }

        options.UseEmergencyFlush = Lookup("use-emergency-flush")?.AsBoolean() ?? false;
        if (Lookup("buffer-size") is { } bufferSize)
        {
            options.BufferSize = (int)bufferSize.AsSize(0, int.MaxValue);
        }

        options.DisablePromisc = Lookup("disable-promisc")?.AsBoolean() ?? false;
        if (Lookup("checksum-checks") is { } checksums)
        {
            options.ChecksumChecks = Choice(checksums, "kernel", "yes", "no", "auto") switch
            {
                "yes" => ChecksumMode.All,
                "no" => ChecksumMode.None,
                "auto" => ChecksumMode.Auto,
                _ => ChecksumMode.Kernel,
            };
        }

        options.EnableHardwareTimestamp = Lookup("enable-hwtimestamp")?.AsBoolean() ?? false;
        options.BpfFilter = Text(Lookup("bpf-filter"));
        options.EbpfLoadBalancerFile = Text(Lookup("ebpf-lb-file"));
        options.EbpfFilterFile = Text(Lookup("ebpf-filter-file"));
        options.Bypass = Lookup("bypass")?.AsBoolean() ?? false;

        // With bypass a frame ring by default: the packet that triggers a bypass reaches the engine at
        // once instead of when its block fills or times out (docs/benchmarks-afpacket.md).
        options.TpacketV3 = Lookup("tpacket-v3")?.AsBoolean() ?? (options.CopyMode == LiveInterfaceCopyMode.None && !options.Bypass);
        options.XdpFilterFile = Text(Lookup("xdp-filter-file"));
        if (Lookup("xdp-mode") is { } xdpMode)
        {
            options.XdpMode = Choice(xdpMode, "soft", "driver", "hw") switch
            {
                "driver" => LiveInterfaceXdpMode.Driver,
                "hw" => LiveInterfaceXdpMode.Hardware,
                _ => LiveInterfaceXdpMode.Soft,
            };
        }

        options.UsePercpuHash = ReadPercpuHash(entry, defaults);
        options.PinnedMaps = Lookup("pinned-maps")?.AsBoolean() ?? false;
        options.PinnedMapsName = Text(Lookup("pinned-maps-name"));
        if (Lookup("xdp-cpu-redirect") is { } cpus)
        {
            options.XdpCpuRedirect = ReadCpuSet(cpus);
        }

        if (Lookup("bypass-map-size") is { } mapSize)
        {
            options.BypassMapSize = (int)AsInteger(mapSize, 1, MaxMapFlows, " (flows)");
        }

        options.XdpReplace = Lookup("xdp-replace")?.AsBoolean() ?? false;
        options.XdpBypassRules = Lookup("xdp-bypass-rules")?.AsBoolean() ?? true;
        if (Lookup("xdp-chain") is { } chain)
        {
            ReadChain(chain, options);
        }

        return options;
    }

    private static void ReadChain(ConfigNode chain, LiveInterfaceOptions options)
    {
        if (chain.Kind != ConfigNodeKind.Mapping)
        {
            throw chain.Error("expected a mapping: { pin: /sys/fs/bpf/<array>, next: [<pinned program>, ...] } or { join: /sys/fs/bpf/<array>, join-index: <slot> }");
        }

        options.XdpChainPin = Text(chain["pin"]);
        options.XdpChainJoin = Text(chain["join"]);
        if (chain["next"] is { } next)
        {
            IEnumerable<ConfigNode> items = next.Kind == ConfigNodeKind.Sequence ? next.Items : [next];
            options.XdpChainNext = [.. items.Select(item => Text(item) ?? throw item.Error("expected the path of a pinned XDP program"))];
        }

        if (chain["join-index"] is { } index)
        {
            if (options.XdpChainJoin is null)
            {
                throw index.Error("join-index needs join: the pinned program array of another root");
            }

            options.XdpChainJoinIndex = (int)AsInteger(index, 0, MaxChainSlot, " (a slot of join)");
        }

        if (options.XdpChainPin is null && options.XdpChainJoin is null)
        {
            throw chain.Error("sets neither pin (the filter as the root of a chain) nor join (the filter in a slot of another root's chain)");
        }
    }

    /// <summary>
    /// <c>use-percpu-hash</c> and its older inverse <c>no-percpu-hash</c>. The most specific entry
    /// that sets either decides; both set there with contradictory meaning is an error.
    /// </summary>
    private static bool ReadPercpuHash(ConfigNode? entry, ConfigNode? defaults)
    {
        ConfigNode? level = entry is not null && (entry["use-percpu-hash"] is not null || entry["no-percpu-hash"] is not null) ? entry : defaults;
        ConfigNode? use = level?["use-percpu-hash"];
        ConfigNode? no = level?["no-percpu-hash"];
        if (use is not null && no is not null)
        {
            bool perCpu = use.AsBoolean();
            if (perCpu == no.AsBoolean())
            {
                throw no.Error($"'{no.Value}' contradicts use-percpu-hash: {use.Value} at {use.Location} ({use.Path}); set only one of them (no-percpu-hash is the inverse of use-percpu-hash)");
            }

            return perCpu;
        }

        return use?.AsBoolean() ?? (no is null || !no.AsBoolean());
    }

    private static int[] ReadCpuSet(ConfigNode node)
    {
        var cpus = new SortedSet<int>();
        IEnumerable<ConfigNode> items = node.Kind == ConfigNodeKind.Sequence ? node.Items : [node];
        foreach (ConfigNode item in items)
        {
            if (item.Kind != ConfigNodeKind.Scalar || string.IsNullOrWhiteSpace(item.Value))
            {
                throw item.Error("expected a CPU set: a list of CPU numbers, ranges such as \"1-17\", or \"all\"");
            }

            foreach (string raw in item.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (string.Equals(raw, "all", StringComparison.OrdinalIgnoreCase))
                {
                    for (int cpu = 0; cpu < Environment.ProcessorCount; cpu++)
                    {
                        cpus.Add(cpu);
                    }

                    continue;
                }

                string[] bounds = raw.Split('-', StringSplitOptions.TrimEntries);
                if (bounds.Length is < 1 or > 2
                    || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                    || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                    || first > last || last > 4095)
                {
                    throw item.Error($"'{raw}' is not allowed; expected CPU numbers 0..4095, ranges such as \"1-17\", or \"all\"");
                }

                for (int cpu = first; cpu <= last; cpu++)
                {
                    cpus.Add(cpu);
                }
            }
        }

        return [.. cpus];
    }

    private static bool IsWord(ConfigNode node, string word) =>
        node.Kind == ConfigNodeKind.Scalar && string.Equals(node.Value?.Trim(), word, StringComparison.OrdinalIgnoreCase);

    private static long AsInteger(ConfigNode node, long min, long max, string extra)
    {
        if (node.Kind != ConfigNodeKind.Scalar
            || !long.TryParse(node.Value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw node.Error($"'{node.Value}' is not allowed; expected an integer {min}..{max}{extra}");
        }

        if (value < min || value > max)
        {
            throw node.Error($"{value} is out of range; expected an integer {min}..{max}{extra}");
        }

        return value;
    }

    private static string Choice(ConfigNode node, params string[] allowed)
    {
        if (node.Kind == ConfigNodeKind.Scalar)
        {
            foreach (string option in allowed)
            {
                if (string.Equals(option, node.Value?.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return option;
                }
            }
        }

        throw node.Error($"'{node.Value}' is not allowed; expected one of: {string.Join(", ", allowed)}");
    }

    private static string? Text(ConfigNode? node) => node?.AsText();
}
