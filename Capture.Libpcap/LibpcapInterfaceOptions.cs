using System.Globalization;
using Capture.Abstractions;

namespace Capture.Libpcap;

/// <summary>
/// One interface of the <c>pcap:</c> section (Suricata's libpcap capture): a list of
/// <c>- interface: NAME</c> entries where every key falls back to the <c>interface: default</c>
/// entry, then to the code default. All of this plugin's option reading is here.
/// </summary>
public sealed class LibpcapInterfaceOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "pcap";

    /// <summary>The name of the entry every interface falls back to.</summary>
    public const string DefaultInterface = "default";

    /// <summary>libpcap's largest snap length: the whole packet.</summary>
    public const int MaxSnaplen = 262144;

    // Above the MTU: the Ethernet header and the three VLAN tags the decoder follows (Suricata adds the link header too).
    private const int LinkHeaderRoom = 14 + 12;

    /// <summary>The <c>pcap:</c> section's declaration: the host checks every key against it and CONFIG.md's table is made from it.</summary>
    public static ConfigKey Section { get; } = new(SectionName, ConfigValueType.InterfaceList, "live capture through libpcap (the pcap plugin, --pcap)")
    {
        Keys =
        [
            ConfigKeys.Text("interface", null, "any device libpcap lists (eth0, lo, any, ...), or default: the entry every interface falls back to"),
            ConfigKeys.Size("buffer-size", "libpcap's (2mb)", 64 << 10, int.MaxValue, "libpcap's buffer, the TPACKET_V3 ring on Linux"),
            ConfigKeys.Text("bpf-filter", null, "pcap filter expression, compiled by libpcap at the start; a bad one fails the start"),
            ConfigKeys.Choice("checksum-checks", "auto", "checksum validation (-k wins when given)", "auto", "yes", "no"),
            ConfigKeys.Boolean("promisc", "yes", "promiscuous mode"),
            ConfigKeys.Integer("snaplen", "MTU + 26", 64, MaxSnaplen, "bytes per packet; default the MTU plus Ethernet and three VLAN tags, the whole packet where there is no MTU (any)"),
            new ConfigKey("threads", ConfigValueType.Integer, "1 or auto: plain libpcap has no fanout, so a second handle would see every packet again (use af-packet for more)")
            {
                Default = "1",
                Minimum = 1,
                Maximum = 1,
                Allowed = ["auto"],
            },
        ],
    };

    /// <summary>The interface name as libpcap knows it (<c>eth0</c>, <c>lo</c>, <c>any</c>, ...).</summary>
    public required string Interface { get; init; }

    /// <summary>Where the settings came from (file:line), for messages.</summary>
    public string Location { get; init; } = "<code defaults>";

    /// <summary><c>buffer-size</c>: libpcap's buffer (the ring on Linux) in bytes; null for libpcap's default (2 MiB).</summary>
    public int? BufferSize { get; init; }

    /// <summary><c>bpf-filter</c>: a pcap filter expression, or null.</summary>
    public string? BpfFilter { get; init; }

    /// <summary><c>checksum-checks</c>: <c>auto</c> (default), <c>yes</c> or <c>no</c>; <c>-k</c> wins when it is not auto.</summary>
    public ChecksumMode ChecksumChecks { get; init; } = ChecksumMode.Auto;

    /// <summary><c>promisc</c>: promiscuous mode (default yes).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary><c>snaplen</c>: bytes captured per packet; null: the interface's MTU plus link headers, or the whole packet when the MTU is unknown.</summary>
    public int? Snaplen { get; init; }

    /// <summary>
    /// Reads the interfaces of the <c>pcap:</c> section.
    /// </summary>
    /// <param name="root">The configuration root.</param>
    /// <param name="onlyInterface">The interface of <c>--pcap=NAME</c>: its entry, else the default entry, else code defaults. Null: every interface listed.</param>
    /// <returns>One entry per interface, in file order.</returns>
    /// <exception cref="ConfigurationException">A value is wrong; the message names file, line, key and what is allowed.</exception>
    public static IReadOnlyList<LibpcapInterfaceOptions> Read(ConfigNode root, string? onlyInterface)
    {
        ArgumentNullException.ThrowIfNull(root);
        ConfigNode? defaults = null;
        var entries = new List<(string Name, ConfigNode Node)>();
        if (root[SectionName] is { } list && !(list.Kind == ConfigNodeKind.Scalar && list.Value is null))
        {
            if (list.Kind != ConfigNodeKind.Sequence)
            {
                throw list.Error("expected a list of '- interface: <name>' entries");
            }

            foreach (ConfigNode item in list.Items)
            {
                string name = item.Kind == ConfigNodeKind.Mapping && item["interface"] is { Kind: ConfigNodeKind.Scalar, Value: { } value } && !string.IsNullOrWhiteSpace(value)
                    ? value.Trim()
                    : throw item.Error("expected an entry '- interface: <name>' (or 'default') with its options");
                if (string.Equals(name, DefaultInterface, StringComparison.Ordinal))
                {
                    defaults = defaults is null ? item : throw item.Error($"a second 'interface: default' entry; the first is at {defaults.Location}");
                }
                else if (entries.Exists(e => string.Equals(e.Name, name, StringComparison.Ordinal)))
                {
                    throw item.Error($"interface '{name}' is listed twice");
                }
                else
                {
                    entries.Add((name, item));
                }
            }
        }

        if (onlyInterface is not null)
        {
            return [Build(onlyInterface, entries.Find(e => string.Equals(e.Name, onlyInterface, StringComparison.Ordinal)).Node, defaults)];
        }

        return [.. entries.Select(e => Build(e.Name, e.Node, defaults))];
    }

    /// <summary>The snap length to ask libpcap for.</summary>
    /// <param name="mtu">The interface's MTU, or null when unknown (<c>any</c>, devices without one).</param>
    /// <returns>Bytes per packet.</returns>
    public int EffectiveSnaplen(int? mtu) => Snaplen ?? (mtu is int m and > 0 ? Math.Min(MaxSnaplen, m + LinkHeaderRoom) : MaxSnaplen);

    private static LibpcapInterfaceOptions Build(string name, ConfigNode? entry, ConfigNode? defaults)
    {
        ConfigNode? Lookup(string key) => entry?[key] ?? defaults?[key];

        if (Lookup("threads") is { } threads && !string.Equals(threads.Value?.Trim(), "auto", StringComparison.Ordinal) && threads.AsInt64(1, 1024) != 1)
        {
            // Plain libpcap has no fanout: every handle on an interface sees every packet.
            throw threads.Error("libpcap captures an interface with one thread (every further handle would see every packet again); use 1 or auto, or the af-packet plugin for several threads");
        }

        string? filter = Lookup("bpf-filter")?.AsText();
        return new LibpcapInterfaceOptions
        {
            Interface = name,
            Location = entry?.Location ?? defaults?.Location ?? "<code defaults>",
            BufferSize = Lookup("buffer-size") is { } size ? (int)size.AsSize(64 << 10, int.MaxValue) : null,
            BpfFilter = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim(),
            ChecksumChecks = Lookup("checksum-checks") is { } checksums ? Checksums(checksums) : ChecksumMode.Auto,
            Promiscuous = Lookup("promisc")?.AsBoolean() ?? true,
            Snaplen = Lookup("snaplen") is { } snaplen ? (int)snaplen.AsInt64(64, MaxSnaplen) : null,
        };
    }

    private static ChecksumMode Checksums(ConfigNode node) => node.Value?.Trim().ToLower(CultureInfo.InvariantCulture) switch
    {
        "yes" => ChecksumMode.All,
        "no" => ChecksumMode.None,
        "auto" => ChecksumMode.Auto,
        _ => throw node.Error($"'{node.Value}' is not allowed; expected yes, no or auto"),
    };
}
