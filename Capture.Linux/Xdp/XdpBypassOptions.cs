using Capture.Abstractions;

namespace Capture.Linux.Xdp;

/// <summary>
/// How to run the XDP bypass filter on one interface. Maps Suricata's per-interface keys:
/// <c>xdp-mode</c> → <see cref="Mode"/>, <c>use-percpu-hash</c>/<c>no-percpu-hash</c> →
/// <see cref="PerCpuMaps"/>, <c>pinned-maps</c> → <see cref="PinnedMaps"/>,
/// <c>xdp-filter-file</c> → <see cref="FilterFile"/>, <c>xdp-chain</c> → <see cref="Chain"/>.
/// </summary>
public sealed class XdpBypassOptions
{
    /// <summary>Default capacity of each flow map, in half-flow entries (a flow takes two).</summary>
    public const int DefaultMapCapacity = 32768;

    /// <summary>Largest accepted map capacity.</summary>
    public const int MaxMapCapacity = 1 << 26;

    /// <summary>Default bpffs directory under which pinned maps live.</summary>
    public const string DefaultPinRoot = "/sys/fs/bpf/capture";

    /// <summary>The interface name (e.g. <c>eth0</c>).</summary>
    public string Interface { get; set; } = string.Empty;

    /// <summary>Where the program runs. Default <see cref="XdpMode.Soft"/>, as Suricata.</summary>
    public XdpMode Mode { get; set; } = XdpMode.Soft;

    /// <summary>Per-CPU hash maps (default) or one shared hash with atomic counters (false; required for <see cref="XdpMode.Hardware"/>).</summary>
    public bool PerCpuMaps { get; set; } = true;

    /// <summary>Entries per flow map (IPv4 and IPv6 each); each bypassed flow takes two.</summary>
    public int MapCapacity { get; set; } = DefaultMapCapacity;

    /// <summary>Pin the flow maps under <see cref="PinRoot"/>/&lt;iface&gt;/v&lt;layout&gt;/ so bypassed flows survive a restart.</summary>
    public bool PinnedMaps { get; set; }

    /// <summary>bpffs directory for pins; default <see cref="DefaultPinRoot"/>.</summary>
    public string PinRoot { get; set; } = DefaultPinRoot;

    /// <summary>Replace an XDP program already attached to the interface instead of refusing to start.</summary>
    public bool ReplaceExistingProgram { get; set; }

    /// <summary>
    /// UDP destination ports the filter takes as VXLAN (up to four; default 4789, as the decoder's
    /// <c>decoder.vxlan.ports</c>): a flow inside is keyed on the inner packet and the tunnel.
    /// </summary>
    public IReadOnlyList<int> VxlanPorts { get; set; } = [4789];

    /// <summary>The UDP destination port the filter takes as Geneve (default 6081, as the decoder's <c>decoder.geneve.ports</c>; 0: none).</summary>
    public int GenevePort { get; set; } = 6081;

    /// <summary>The compiled filter to load; null for the one built with this library (<see cref="XdpBypassFilter.DefaultFilterFile"/>).</summary>
    public string? FilterFile { get; set; }

    /// <summary>How the filter shares the XDP hook with other programs (<c>xdp-chain</c>); null: it owns the hook alone.</summary>
    public XdpChainOptions? Chain { get; set; }

    /// <summary>Parses an <c>xdp-mode</c> value: <c>soft</c>, <c>driver</c> or <c>hw</c> (also <c>generic</c>, <c>native</c>, <c>offload</c>).</summary>
    /// <param name="value">The configured text.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="ConfigurationException">The value is none of these.</exception>
    public static XdpMode ParseMode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToLowerInvariant() switch
        {
            "soft" or "generic" or "skb" => XdpMode.Soft,
            "driver" or "native" or "drv" => XdpMode.Driver,
            "hw" or "offload" or "hardware" => XdpMode.Hardware,
            _ => throw new ConfigurationException($"xdp-mode: '{value}' is not allowed; expected soft, driver or hw"),
        };
    }

    /// <summary>The <c>xdp-mode</c> spelling of a mode.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns><c>soft</c>, <c>driver</c> or <c>hw</c>.</returns>
    public static string FormatMode(XdpMode mode) => mode switch
    {
        XdpMode.Driver => "driver",
        XdpMode.Hardware => "hw",
        _ => "soft",
    };

    /// <summary>Checks the options; the message names the key and what is allowed.</summary>
    /// <exception cref="ConfigurationException">A value is wrong.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Interface) || Interface.Length > 15 || Interface.Contains('/', StringComparison.Ordinal))
        {
            throw new ConfigurationException($"interface: '{Interface}' is not a valid interface name (1-15 characters, no '/')");
        }

        if (!Enum.IsDefined(Mode))
        {
            throw new ConfigurationException($"{Interface}: xdp-mode: {(int)Mode} is not a mode; expected soft, driver or hw");
        }

        if (MapCapacity < 2 || MapCapacity > MaxMapCapacity)
        {
            throw new ConfigurationException($"{Interface}: bypass map capacity {MapCapacity} is out of range; expected 2..{MaxMapCapacity} entries (two per flow)");
        }

        if (Mode == XdpMode.Hardware && PerCpuMaps)
        {
            throw new ConfigurationException($"{Interface}: xdp-mode: hw needs shared maps (a NIC has no per-CPU maps); set use-percpu-hash: no (or no-percpu-hash: yes)");
        }

        if (PinnedMaps && (string.IsNullOrWhiteSpace(PinRoot) || !PinRoot.StartsWith('/')))
        {
            throw new ConfigurationException($"{Interface}: pin root '{PinRoot}' must be an absolute path on a bpffs (e.g. {DefaultPinRoot})");
        }

        if (VxlanPorts is null || VxlanPorts.Count > Filter.FilterConfig.VxlanPortCapacity || VxlanPorts.Any(p => p is < 1 or > 65535))
        {
            throw new ConfigurationException($"{Interface}: VXLAN ports [{string.Join(", ", VxlanPorts ?? [])}] are not allowed; expected up to {Filter.FilterConfig.VxlanPortCapacity} UDP ports 1..65535");
        }

        if (GenevePort is < 0 or > 65535)
        {
            throw new ConfigurationException($"{Interface}: Geneve port {GenevePort} is not allowed; expected a UDP port 1..65535, or 0 for none");
        }

        if (FilterFile is not null && FilterFile.Length == 0)
        {
            throw new ConfigurationException($"{Interface}: xdp-filter-file is empty; leave it out to use the built-in filter");
        }

        Chain?.Validate(Interface, Mode);
    }

    /// <summary>A copy, so a running filter is not changed under it.</summary>
    /// <returns>The copy.</returns>
    public XdpBypassOptions Clone()
    {
        var copy = (XdpBypassOptions)MemberwiseClone();
        copy.Chain = Chain?.Clone();
        return copy;
    }
}
