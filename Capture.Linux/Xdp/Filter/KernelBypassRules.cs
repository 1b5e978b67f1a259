using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Capture.Abstractions;
using Capture.Linux.Xdp.Interop;

namespace Capture.Linux.Xdp.Filter;

/// <summary>
/// The filter's kernel bypass rules (docs/XDP.md, "Kernel bypass rules"): header-only bypass rules
/// expanded into <see cref="KernelRule"/> entries (one per source prefix × destination prefix ×
/// source port range × destination port range) in the half of <c>bypass_rules</c> not in use, then
/// made live by one write of <c>bypass_rule_set</c> (bits 0-7: entries, bit 8: the half), so the
/// program never sees a set half written. Owns its duplicated map fds.
/// </summary>
internal sealed unsafe class KernelBypassRules : IDisposable
{
    /// <summary>Entries the filter tests (MAX_RULES in xdp_bypass.c).</summary>
    public const int Capacity = 64;

    public const string RulesMapName = "bypass_rules";

    public const string SetMapName = "bypass_rule_set";

    private const uint HalfBit = 0x100;

    private readonly BpfFdHandle _rules;
    private readonly BpfFdHandle _set;
    private readonly Lock _gate = new();
    private bool _disposed;

    internal KernelBypassRules(BpfFdHandle rules, BpfFdHandle set)
    {
        Debug.Assert(Unsafe.SizeOf<KernelRule>() == KernelRule.Size, "struct bypass_rule is 88 bytes");
        _rules = rules;
        _set = set;
    }

    /// <summary>Entries in use after the last <see cref="Load"/>.</summary>
    public int Entries { get; private set; }

    /// <summary>
    /// Expands the rules (in order, until the filter's <see cref="Capacity"/> entries are used) and
    /// makes them the set in use. Returns the rules not taken, with why.
    /// </summary>
    /// <exception cref="BpfException">A map write failed (the set in use is then unchanged).</exception>
    public IReadOnlyList<HeaderRuleRefusal> Load(IReadOnlyList<HeaderBypassRule> rules, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(rules);
        List<KernelRule> entries = [];
        List<HeaderRuleRefusal> refused = [];
        foreach (HeaderBypassRule rule in rules)
        {
            if (Expand(rule, entries, out string? why))
            {
                continue;
            }

            refused.Add(new HeaderRuleRefusal(rule.Sid, why!));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            uint current = ReadSet();
            uint half = (current & HalfBit) ^ HalfBit;
            uint first = half != 0 ? (uint)Capacity : 0;
            for (int i = 0; i < entries.Count; i++)
            {
                uint index = first + (uint)i;
                KernelRule entry = entries[i];
                Check(Libbpf.MapUpdateElem(_rules.Fd, &index, &entry, 0), $"{interfaceName}: writing kernel bypass rule {i} into {RulesMapName}");
            }

            uint next = entries.Count == 0 ? 0 : half | (uint)entries.Count;
            uint zero = 0;
            Check(Libbpf.MapUpdateElem(_set.Fd, &zero, &next, 0), $"{interfaceName}: switching {SetMapName}");
            Entries = entries.Count;
        }

        return refused;
    }

    /// <summary>Adds the rule's entries, or none and why not (another protocol than TCP/UDP, too many entries, a rule that can never match).</summary>
    internal static bool Expand(HeaderBypassRule rule, List<KernelRule> into, out string? why)
    {
        if (rule.Protocol is not (0 or 6 or 17))
        {
            why = string.Create(CultureInfo.InvariantCulture, $"IP protocol {rule.Protocol}: the XDP filter keys TCP and UDP flows only");
            return false;
        }

        if (rule.IpVersion is not (0 or 4 or 6))
        {
            why = string.Create(CultureInfo.InvariantCulture, $"IP version {rule.IpVersion}: 4, 6 or 0 (both)");
            return false;
        }

        IPNetwork?[] sources = rule.Sources.Count == 0 ? [null] : [.. rule.Sources.Select(n => (IPNetwork?)n)];
        IPNetwork?[] destinations = rule.Destinations.Count == 0 ? [null] : [.. rule.Destinations.Select(n => (IPNetwork?)n)];
        PortRange[] sourcePorts = rule.SourcePorts.Count == 0 ? [new PortRange(0, ushort.MaxValue)] : [.. rule.SourcePorts];
        PortRange[] destinationPorts = rule.DestinationPorts.Count == 0 ? [new PortRange(0, ushort.MaxValue)] : [.. rule.DestinationPorts];
        int start = into.Count;
        foreach (IPNetwork? source in sources)
        {
            foreach (IPNetwork? destination in destinations)
            {
                int family = Family(source, destination, rule.IpVersion);
                if (family < 0)
                {
                    continue; // an IPv4 end with an IPv6 end: no packet has both
                }

                foreach (PortRange sourcePort in sourcePorts)
                {
                    foreach (PortRange destinationPort in destinationPorts)
                    {
                        if (into.Count == Capacity)
                        {
                            int needed = sources.Length * destinations.Length * sourcePorts.Length * destinationPorts.Length;
                            into.RemoveRange(start, into.Count - start);
                            why = string.Create(CultureInfo.InvariantCulture, $"needs up to {needed} filter entries (prefixes × port ranges), {Capacity - start} of {Capacity} left");
                            return false;
                        }

                        KernelRule entry = new()
                        {
                            Sid = (ulong)rule.Sid,
                            SourcePortLow = sourcePort.Low,
                            SourcePortHigh = sourcePort.High,
                            DestinationPortLow = destinationPort.Low,
                            DestinationPortHigh = destinationPort.High,
                            Protocol = rule.Protocol,
                            Family = (byte)family,
                            BothWays = rule.Bidirectional ? (byte)1 : (byte)0,
                        };
                        Prefix(source, entry.Source, entry.SourceMask);
                        Prefix(destination, entry.Destination, entry.DestinationMask);
                        into.Add(entry);
                    }
                }
            }
        }

        if (into.Count == start)
        {
            why = "no source and destination of the same IP version: the rule matches no packet";
            return false;
        }

        why = null;
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _rules.Dispose();
            _set.Dispose();
        }
    }

    // 4 or 6 for the entry, 0 for either (both ends any, no version asked), -1 when the ends or the asked version disagree.
    private static int Family(IPNetwork? source, IPNetwork? destination, int asked)
    {
        int s = source is { } a ? Version(a) : 0;
        int d = destination is { } b ? Version(b) : 0;
        if (s != 0 && d != 0 && s != d)
        {
            return -1;
        }

        int family = s != 0 ? s : d;
        if (asked != 0 && family != 0 && asked != family)
        {
            return -1;
        }

        return family != 0 ? family : asked;
    }

    private static int Version(IPNetwork network) => network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;

    private static void Prefix(IPNetwork? network, byte* address, byte* mask)
    {
        if (network is not { } n)
        {
            return; // any: all zero, which every address matches
        }

        Span<byte> bytes = stackalloc byte[16];
        n.BaseAddress.TryWriteBytes(bytes, out int length);
        for (int i = 0; i < length; i++)
        {
            int bits = Math.Clamp(n.PrefixLength - (8 * i), 0, 8);
            byte m = (byte)(0xFF << (8 - bits));
            mask[i] = m;
            address[i] = (byte)(bytes[i] & m);
        }
    }

    private uint ReadSet()
    {
        uint zero = 0;
        uint value = 0;
        Check(Libbpf.MapLookupElem(_set.Fd, &zero, &value), $"reading {SetMapName}");
        return value;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw BpfErrors.Create(what, rc);
        }
    }
}
