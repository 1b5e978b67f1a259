using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Abstractions;
using Capture.Hosting.Control;
using FlowEngine.Configuration;
using FlowEngine.Decode;
using FlowEngine.Stream;
using Microsoft.Extensions.Logging;

namespace Capture.Hosting.Configuration;

/// <summary>Binds the host sections of the tree; collects warnings as it goes.</summary>
internal sealed class HostConfigurationBinder(ILogger logger)
{
    private readonly List<string> _warnings = [];

    /// <summary>Checks <paramref name="root"/> against the host's sections and <paramref name="sections"/> (the loaded plugins' and the application's), then binds the host's.</summary>
    public HostConfiguration Bind(ConfigNode root, IEnumerable<ConfigKey> sections)
    {
        if (root.Kind != ConfigNodeKind.Mapping)
        {
            throw root.Error("expected a mapping of sections at the top level");
        }

        ConfigKey[] declared = [.. HostConfigurationSections.All, .. sections];
        foreach (IGrouping<string, ConfigKey> twice in declared.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new ConfigurationException($"configuration section '{twice.Key}' is declared {twice.Count()} times (by the host or the loaded plugins); each section has one owner");
        }

        IReadOnlyList<string> undeclared = new ConfigurationValidator(logger, Warn).Validate(root, declared);
        FlowEngineOptions flow = BindFlow(root);
        List<EveLogOptions> eves = BindOutputs(root["outputs"], out EveLogOptions? firstOff);
        EveLogOptions eve = eves.Count > 0 ? eves[0] : firstOff ?? new EveLogOptions { Enabled = false };
        string? rulePath = Text(root["default-rule-path"]);

        var configuration = new HostConfiguration(root)
        {
            Flow = flow,
            PluginDirectories = BindPluginDirectories(root["plugins"]),
            EveLog = eve,
            EveLogs = eves,
            UnixCommand = UnixCommandOptions.Read(root),
            Stats = BindStats(Mapping(root["stats"])),
            DefaultRulePath = rulePath,
            RuleFiles = BindRuleFiles(root["rule-files"], rulePath),
            Stream = BindStream(Mapping(root["stream"])),
            TlsEncryptionHandling = BindTls(root),
            DefaultLogDirectory = Text(root["default-log-dir"]),
            SensorName = Text(root["sensor-name"]),
            Warnings = _warnings.ToArray(),
            UndeclaredSections = undeclared,
        };
        ConfigurationLog.Bound(logger, flow.HashSize, flow.Prealloc, flow.Memcap, eve.Enabled, eve.FileName, _warnings.Count);
        return configuration;
    }

    private FlowEngineOptions BindFlow(ConfigNode root)
    {
        var options = new FlowEngineOptions();
        if (Mapping(root["flow"]) is { } flow)
        {
            options.HashSize = (int)flow.GetInt64("hash-size", options.HashSize, 1, int.MaxValue);
            options.Prealloc = (int)flow.GetInt64("prealloc", options.Prealloc, 0, int.MaxValue);
            options.Memcap = flow.GetSize("memcap", options.Memcap, 1);
            if (MachineMemory.Exceeds(options.Memcap, out string? problem))
            {
                throw flow["memcap"]!.Error(problem);
            }
            options.EmergencyRecovery = (int)flow.GetInt64("emergency-recovery", options.EmergencyRecovery, 1, 100);
        }

        if (Mapping(root["flow-timeouts"]) is { } timeouts)
        {
            FlowTimeoutTable table = options.Timeouts;
            table.Default = BindTimeouts(Mapping(timeouts["default"]), table.Default, hasClosed: true);
            table.Tcp = BindTimeouts(Mapping(timeouts["tcp"]), table.Tcp, hasClosed: true);
            table.Udp = BindTimeouts(Mapping(timeouts["udp"]), table.Udp, hasClosed: false);
            table.Icmp = BindTimeouts(Mapping(timeouts["icmp"]), table.Icmp, hasClosed: false);
        }

        if (Mapping(root["defrag"]) is { } defrag)
        {
            DefragOptions d = options.Defrag;
            d.Memcap = defrag.GetSize("memcap", d.Memcap, 1);
            d.Trackers = (int)defrag.GetInt64("trackers", d.Trackers, 1, int.MaxValue);
            d.MaxFragments = (int)defrag.GetInt64("max-frags", d.MaxFragments, 1, int.MaxValue);
            d.Timeout = (int)defrag.GetInt64("timeout", d.Timeout, 1, 65535);
            d.Enabled = defrag.GetBoolean("enabled", d.Enabled);
        }

        if (Mapping(root["threading"]) is { } threading)
        {
            // Suricata's autofp: detect threads = online CPUs x detect-thread-ratio, at least one.
            // Here they are the workers a single offline capture is spread over by flow.
            if (threading["detect-thread-ratio"] is { } ratioNode)
            {
                string? text = ratioNode.AsText();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) || !(ratio > 0) || ratio > 1024)
                {
                    throw ratioNode.Error($"'{text}' is not allowed; expected a number above 0 and at most 1024");
                }

                options.Workers = (int)Math.Clamp(Math.Floor(ratio * Environment.ProcessorCount), 1, 1024);
            }
        }

        if (Mapping(root["vlan"]) is { } vlan)
        {
            options.VlanTracking = vlan.GetBoolean("use-for-tracking", options.VlanTracking);
        }

        if (Mapping(Mapping(root["decoder"])?["recursion-level"]) is { } recursion)
        {
            options.RecursionTracking = recursion.GetBoolean("use-for-tracking", options.RecursionTracking);
        }

        options.Decoder.VxlanPorts = DecoderTunnelPorts.Read(root, "vxlan", options.Decoder.VxlanPorts, DecoderOptions.MaxVxlanPorts);
        IReadOnlyList<int> geneve = DecoderTunnelPorts.Read(root, "geneve", [options.Decoder.GenevePort], maxPorts: 1);
        options.Decoder.GenevePort = geneve.Count == 0 ? 0 : geneve[0];
        if (Mapping(root["host-os-policy"]) is { } policies)
        {
            BindHostOsPolicies(policies, options.Stream.HostOsPolicies);
        }

        return options;
    }

    /// <summary><c>host-os-policy: {windows: [0.0.0.0/0], linux: [10.0.0.5, ...], ...}</c>: addresses or prefixes per policy name.</summary>
    private static void BindHostOsPolicies(ConfigNode node, IList<HostOsPolicy> policies)
    {
        foreach ((string name, OsPolicy policy) in HostOsPolicyNames)
        {
            if (node[name] is not { } list || (list.Kind == ConfigNodeKind.Scalar && list.Value is null))
            {
                continue;
            }

            foreach (ConfigNode item in Items(list, "a list of addresses or prefixes"))
            {
                string text = item.Value!.Trim();
                IPNetwork network = IPNetwork.TryParse(text, out IPNetwork parsed) ? parsed
                    : IPAddress.TryParse(text, out IPAddress? address) ? new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)
                    : throw item.Error($"'{text}' is not an address or prefix");
                policies.Add(new HostOsPolicy(network, policy));
            }
        }
    }

    private static readonly (string Name, OsPolicy Policy)[] HostOsPolicyNames =
    [
        ("bsd", OsPolicy.Bsd), ("bsd-right", OsPolicy.BsdRight), ("old-linux", OsPolicy.OldLinux), ("linux", OsPolicy.Linux),
        ("old-solaris", OsPolicy.OldSolaris), ("solaris", OsPolicy.Solaris), ("hpux10", OsPolicy.HpUx10), ("hpux11", OsPolicy.HpUx11),
        ("irix", OsPolicy.Irix), ("macos", OsPolicy.MacOs), ("windows", OsPolicy.Windows), ("vista", OsPolicy.Vista),
        ("windows2k3", OsPolicy.Windows2k3),
    ];

    private FlowTimeouts BindTimeouts(ConfigNode? node, FlowTimeouts defaults, bool hasClosed)
    {
        if (node is null)
        {
            return defaults;
        }

        int Seconds(string key, int value) => (int)node.GetInt64(key, value, 0, int.MaxValue);

        FlowTimeouts t = new(
            Seconds("new", defaults.New),
            Seconds("established", defaults.Established),
            hasClosed ? Seconds("closed", defaults.Closed) : defaults.Closed,
            Seconds("bypassed", defaults.Bypassed),
            Seconds("emergency-new", defaults.EmergencyNew),
            Seconds("emergency-established", defaults.EmergencyEstablished),
            hasClosed ? Seconds("emergency-closed", defaults.EmergencyClosed) : defaults.EmergencyClosed,
            Seconds("emergency-bypassed", defaults.EmergencyBypassed));

        // As Suricata: an emergency timeout longer than the normal one defeats its purpose; use a tenth of the normal one.
        int Emergency(string key, int emergency, int normal)
        {
            if (emergency <= normal)
            {
                return emergency;
            }

            Warn(node[key] ?? node, $"emergency timeout {emergency} is longer than the normal one ({normal}); using {normal / 10}");
            return normal / 10;
        }

        return t with
        {
            EmergencyNew = Emergency("emergency-new", t.EmergencyNew, t.New),
            EmergencyEstablished = Emergency("emergency-established", t.EmergencyEstablished, t.Established),
            EmergencyClosed = Emergency("emergency-closed", t.EmergencyClosed, t.Closed),
            EmergencyBypassed = Emergency("emergency-bypassed", t.EmergencyBypassed, t.Bypassed),
        };
    }

    internal static string[] BindPluginDirectories(ConfigNode? node)
    {
        if (node is null || (node.Kind == ConfigNodeKind.Scalar && node.Value is null))
        {
            return [];
        }

        return [.. Items(node, "a list of plugin directories").Select(item => ResolvePath(item, null))];
    }

    /// <summary>Every enabled eve-log, in file order; <paramref name="firstOff"/> the first that is off.</summary>
    private List<EveLogOptions> BindOutputs(ConfigNode? outputs, out EveLogOptions? firstOff)
    {
        firstOff = null;
        if (outputs is null || (outputs.Kind == ConfigNodeKind.Scalar && outputs.Value is null))
        {
            return [new EveLogOptions()];
        }

        if (outputs.Kind != ConfigNodeKind.Sequence)
        {
            throw outputs.Error("expected a list of outputs, e.g. '- eve-log: { enabled: yes }'");
        }

        var eves = new List<EveLogOptions>();
        foreach (ConfigNode item in outputs.Items)
        {
            if (item.Kind != ConfigNodeKind.Mapping || item.Entries.Count != 1)
            {
                throw item.Error("expected one output per list item, e.g. '- eve-log: { enabled: yes }'");
            }

            (string name, ConfigNode settings) = (item.Entries[0].Key, item.Entries[0].Value);
            // As Suricata: an output without 'enabled: yes' is off.
            ConfigNode? body = Mapping(settings);
            bool enabled = body?.GetBoolean("enabled", false) ?? false;
            if (body?["enabled"] is null && string.Equals(name, "eve-log", StringComparison.Ordinal))
            {
                Warn(settings, "eve-log has no 'enabled: yes'; it is off, as in Suricata");
            }

            if (string.Equals(name, "eve-log", StringComparison.Ordinal))
            {
                // One that is off is checked all the same; the first of them stands for EVE when none is on.
                EveLogOptions eve = BindEveLog(body);
                eve.Enabled = enabled;
                if (!enabled)
                {
                    firstOff ??= eve;
                    continue;
                }

                if (eve.Redis is null && eves.Find(e => e.Redis is null && string.Equals(e.FileName, eve.FileName, StringComparison.Ordinal)) is not null)
                {
                    throw settings.Error($"another eve-log already writes '{eve.FileName}'; give each file output its own filename");
                }

                eves.Add(eve);
                continue;
            }

            // An output nobody declares was warned about by the validator; those declared but not
            // written by this host (Suricata's others) are named here when enabled.
            if (enabled && HostConfigurationSections.UnsupportedOutputs.Contains(name, StringComparer.Ordinal))
            {
                Warn(settings, $"output '{name}' is not supported by this host; ignored (supported: {string.Join(", ", HostConfigurationSections.SupportedOutputs)})");
            }
        }

        return eves;
    }

    private EveLogOptions BindEveLog(ConfigNode? node)
    {
        var options = new EveLogOptions();
        if (node is null)
        {
            return options;
        }

        if (node["filetype"] is { } fileType)
        {
            string kind = node.GetChoice("filetype", "regular", "regular", "file", "syslog", "unix_dgram", "unix_stream", "redis");
            if (kind is not ("regular" or "file" or "redis"))
            {
                throw fileType.Error($"'{fileType.Value}' is not supported by this host; allowed: regular, redis");
            }

            options.FileType = string.Equals(kind, "file", StringComparison.Ordinal) ? "regular" : kind;
            if (string.Equals(kind, "redis", StringComparison.Ordinal))
            {
                options.Redis = EveRedisBinder.Bind(Mapping(node["redis"]));
            }
        }

        string? fileName = Text(node["filename"]);
        if (fileName is not null)
        {
            if (LogFileName.Problem(fileName) is { } problem)
            {
                throw node["filename"]!.Error(problem);
            }

            options.FileName = fileName;
        }

        options.Append = node.GetBoolean("append", true);
        if (node["filemode"] is { } fileMode)
        {
            options.FileMode = ParseFileMode(fileMode);
        }

        if (node["flush-interval"] is { } flush)
        {
            if (!double.TryParse(flush.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
                || seconds is < 0 or > 60 || double.IsNaN(seconds))
            {
                throw flush.Error($"'{flush.Value}' is not a flush interval; expected seconds from 0 to 60, e.g. 1 or 0.2");
            }

            options.FlushInterval = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        }

        options.StopOnWriteError = string.Equals(node.GetChoice("write-error", "continue", "continue", "stop"), "stop", StringComparison.Ordinal);

        options.CommunityId = node.GetBoolean("community-id", false);
        options.Ethernet = node.GetBoolean("ethernet", false);
        options.CommunityIdSeed = (ushort)node.GetInt64("community-id-seed", 0, 0, ushort.MaxValue);
        if (node["types"] is { } types && !(types.Kind == ConfigNodeKind.Scalar && types.Value is null))
        {
            var list = new List<string>();
            var settings = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
            if (types.Kind != ConfigNodeKind.Sequence)
            {
                throw types.Error("expected a list of event types, e.g. '- flow'");
            }

            foreach (ConfigNode item in types.Items)
            {
                string type;
                // As Suricata's loader: a mapping item is named by its first key ("- stats:" with
                // "totals: yes" written under it at the same indentation is the stats type).
                if (item.Kind == ConfigNodeKind.Mapping && item.Entries.Count >= 1)
                {
                    type = item.Entries[0].Key;
                    settings[type] = item.Entries[0].Value;
                }
                else if (item.Kind == ConfigNodeKind.Scalar && !string.IsNullOrWhiteSpace(item.Value))
                {
                    type = item.Value.Trim();
                }
                else
                {
                    throw item.Error("expected an event type name (e.g. flow) or '- alert: { ... }'");
                }

                if (Array.IndexOf(HostConfigurationSections.EveTypes, type) < 0)
                {
                    Warn(item, $"unknown event type '{type}' ignored; known types: {string.Join(", ", HostConfigurationSections.EveTypes)}");
                    continue;
                }

                if (!list.Contains(type, StringComparer.Ordinal))
                {
                    list.Add(type);
                }
            }

            options.Types = list;
            options.TypeSettings = settings;
        }

        return options;
    }

    private StatsOptions BindStats(ConfigNode? node)
    {
        var options = new StatsOptions();
        if (node is null)
        {
            return options;
        }

        options.Enabled = node.GetBoolean("enabled", options.Enabled);
        options.Interval = (int)node.GetInt64("interval", options.Interval, 1, 86400);
        options.DecoderEvents = node.GetBoolean("decoder-events", options.DecoderEvents);
        options.DecoderEventsPrefix = Text(node["decoder-events-prefix"]) ?? options.DecoderEventsPrefix;
        options.StreamEvents = node.GetBoolean("stream-events", options.StreamEvents);
        return options;
    }

    private static string[] BindRuleFiles(ConfigNode? node, string? rulePath)
    {
        if (node is null || (node.Kind == ConfigNodeKind.Scalar && node.Value is null))
        {
            return [];
        }

        return [.. Items(node, "a list of rule files").Select(item => ResolvePath(item, rulePath))];
    }

    private StreamOptions BindStream(ConfigNode? node)
    {
        var options = new StreamOptions();
        if (node is null)
        {
            return options;
        }

        options.Bypass = node.GetBoolean("bypass", options.Bypass);
        options.Midstream = node.GetBoolean("midstream", options.Midstream);
        options.AsyncOneside = node.GetBoolean("async-oneside", options.AsyncOneside);
        options.DropInvalid = node.GetBoolean("drop-invalid", options.DropInvalid);
        options.LiberalTimestamps = node.GetBoolean("liberal-timestamps", options.LiberalTimestamps);
        options.Inline = node.GetString("inline") is { } inline && !string.Equals(inline, "auto", StringComparison.OrdinalIgnoreCase)
            ? node.GetBoolean("inline", false)
            : null;
        if (Mapping(node["reassembly"]) is { } reassembly)
        {
            options.ReassemblyDepth = reassembly.GetSize("depth", options.ReassemblyDepth, 0);
        }

        return options;
    }

    private static TlsEncryptionHandling BindTls(ConfigNode root)
    {
        ConfigNode? tls = root.Find("app-layer.protocols.tls");
        if (tls is null || tls.Kind != ConfigNodeKind.Mapping)
        {
            return TlsEncryptionHandling.Default;
        }

        return tls.GetChoice("encryption-handling", "default", "default", "track-only", "bypass", "full") switch
        {
            "bypass" => TlsEncryptionHandling.Bypass,
            "full" => TlsEncryptionHandling.Full,
            _ => TlsEncryptionHandling.Default,
        };
    }

    private static UnixFileMode ParseFileMode(ConfigNode node)
    {
        // Suricata reads the mode as octal digits ("640", "0640"); YAML may have made it a number already.
        string text = node.Value?.Trim() ?? string.Empty;
        int mode = 0;
        bool valid = text.Length is > 0 and <= 4;
        foreach (char c in text)
        {
            valid &= c is >= '0' and <= '7';
            mode = (mode * 8) + (c - '0');
        }

        if (!valid || mode > 0x1FF)
        {
            throw node.Error($"'{node.Value}' is not a file mode; expected octal permissions such as 640 or 0600");
        }

        return (UnixFileMode)mode;
    }

    private void Warn(ConfigNode node, string problem)
    {
        string warning = $"{node.Location}: {node.Path}: {problem}";
        _warnings.Add(warning);
        ConfigurationLog.ConfigurationWarning(logger, warning);
    }

    /// <summary>A section that must be a mapping; an empty section (<c>flow:</c> alone) counts as absent.</summary>
    internal static ConfigNode? Mapping(ConfigNode? node)
    {
        if (node is null || (node.Kind == ConfigNodeKind.Scalar && node.Value is null))
        {
            return null;
        }

        if (node.Kind != ConfigNodeKind.Mapping)
        {
            throw node.Error($"expected a mapping of settings (key: value), found {(node.Kind == ConfigNodeKind.Sequence ? "a list" : $"'{node.Value}'")}");
        }

        return node;
    }

    private static IEnumerable<ConfigNode> Items(ConfigNode node, string expected)
    {
        IReadOnlyList<ConfigNode> items = node.Kind switch
        {
            ConfigNodeKind.Sequence => node.Items,
            ConfigNodeKind.Scalar => [node],
            _ => throw node.Error($"expected {expected}"),
        };
        foreach (ConfigNode item in items)
        {
            if (item.Kind != ConfigNodeKind.Scalar || string.IsNullOrWhiteSpace(item.Value))
            {
                throw item.Error($"expected {expected}");
            }
        }

        return items;
    }

    private static string? Text(ConfigNode? node) => node?.AsText();

    /// <summary>Absolute path: relative to <paramref name="baseDirectory"/>, else to the YAML file that names it, else to the working directory.</summary>
    private static string ResolvePath(ConfigNode item, string? baseDirectory)
    {
        string value = item.Value!.Trim();
        if (Path.IsPathRooted(value))
        {
            return Path.GetFullPath(value);
        }

        string? directory = baseDirectory
            ?? (item.File is { } file && !string.Equals(file, ConfigOverrides.SourceName, StringComparison.Ordinal) ? Path.GetDirectoryName(Path.GetFullPath(file)) : null);
        return Path.GetFullPath(directory is null ? value : Path.Combine(directory, value));
    }
}
