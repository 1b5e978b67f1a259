using System.Diagnostics;
using FlowEngine.Decode;

namespace Detect.Sample.Detection;

/// <summary>
/// The rules a packet can match, chosen by its IP protocol and ports before any rule runs, as
/// Suricata's signature groups are: a rule is a candidate when its protocol matches and (for TCP,
/// UDP and SCTP) its destination ports hold the packet's destination port, or, for a <c>&lt;&gt;</c>
/// rule, its source port. Every candidate list keeps the rules' order, so the matches and their
/// order are those of running every rule.
/// </summary>
/// <remarks>
/// Ports fall into classes: ranges of ports that every rule's destination ports treat alike. A
/// packet's list is looked up by its protocol, its destination port's class and (only when a
/// bidirectional rule names ports) its source port's class, all computed once when the rules load.
/// A rule set too large to tabulate that way (more than <see cref="MaxPortTableWork"/> rule tests)
/// is grouped by protocol only.
/// </remarks>
internal sealed class RuleGroups
{
    /// <summary>Rule tests the port tables may take to build (rules x port ranges, and classes x rules); beyond it, protocol groups only.</summary>
    internal const long MaxPortTableWork = 4_000_000;

    /// <summary>Port classes at most (per side); more, and the rules are grouped by protocol only.</summary>
    private const int MaxClasses = 4096;

    // The protocol keys with ports: TCP, UDP and SCTP over IPv4 and IPv6.
    private const int PortProtocolKeys = 6;

    private const int PortCount = 65536;

    // Per (protocol, family): the list for a protocol without ports, or null for TCP/UDP/SCTP.
    private readonly Rule[]?[] _byProtocol = new Rule[]?[512];

    // Per (protocol, family) with ports: lists indexed destination class x source classes + source class.
    private readonly Rule[][]?[] _byPorts = new Rule[][]?[512];
    private readonly ushort[]? _destinationClass;
    private readonly ushort[]? _sourceClass;
    private readonly int _sourceClasses = 1;

    public RuleGroups(IReadOnlyList<Rule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rule[] portRules = Keep(rules, r => !r.DestinationPorts.IsAny);
        Rule[] bidirectionalPortRules = Keep(portRules, r => r.Bidirectional);
        int destinationClasses = 1;
        if (portRules.Length > 0 && (long)portRules.Length * CountBoundaries(portRules) <= MaxPortTableWork)
        {
            _destinationClass = Classify(portRules, out destinationClasses);
            if (_destinationClass is not null && bidirectionalPortRules.Length > 0)
            {
                _sourceClass = Classify(bidirectionalPortRules, out _sourceClasses);
            }

            if (_destinationClass is null || (bidirectionalPortRules.Length > 0 && _sourceClass is null)
                || (long)destinationClasses * _sourceClasses * rules.Count * PortProtocolKeys > MaxPortTableWork)
            {
                _destinationClass = null;
                _sourceClass = null;
                _sourceClasses = 1;
            }
        }

        for (int protocol = 0; protocol < 256; protocol++)
        {
            for (int family = 0; family < 2; family++)
            {
                bool isIPv6 = family == 1;
                Rule[] candidates = Keep(rules, r => r.ProtocolMatches((byte)protocol, isIPv6));
                int key = (protocol << 1) | family;
                if (_destinationClass is null || !HasPorts((byte)protocol) || candidates.Length == 0)
                {
                    _byProtocol[key] = candidates;
                    continue;
                }

                _byPorts[key] = Tabulate(candidates, _destinationClass, destinationClasses, _sourceClass, _sourceClasses);
            }
        }
    }

    /// <summary>The candidate rules, in order, for a packet in its own direction (source = sender).</summary>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The address family.</param>
    /// <param name="sourcePort">The sender's port.</param>
    /// <param name="destinationPort">The receiver's port.</param>
    /// <returns>The rules that may match; the others cannot.</returns>
    public ReadOnlySpan<Rule> For(byte protocol, bool isIPv6, ushort sourcePort, ushort destinationPort)
    {
        int key = (protocol << 1) | (isIPv6 ? 1 : 0);
        if (_byProtocol[key] is { } list)
        {
            return list;
        }

        int destination = _destinationClass![destinationPort];
        int source = _sourceClass is null ? 0 : _sourceClass[sourcePort];
        return _byPorts[key]![(destination * _sourceClasses) + source];
    }

    /// <summary>The rules <paramref name="keep"/> takes, in order (a plain list: no generic code of its own to compile at start).</summary>
    private static Rule[] Keep(IReadOnlyList<Rule> rules, Func<Rule, bool> keep)
    {
        var kept = new List<Rule>();
        for (int i = 0; i < rules.Count; i++)
        {
            if (keep(rules[i]))
            {
                kept.Add(rules[i]);
            }
        }

        return kept.Count == 0 ? [] : kept.ToArray();
    }

    /// <summary>TCP, UDP and SCTP: the protocols whose ports rules test (as <see cref="Rule"/>'s header match).</summary>
    private static bool HasPorts(byte protocol) => protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp;

    private static int CountBoundaries(Rule[] rules)
    {
        _ = Boundaries(rules, out int count);
        return count;
    }

    /// <summary>
    /// The ports where some rule's destination ports may change their answer (port 0 always, the
    /// end of the port space never): between two of them every rule answers alike.
    /// </summary>
    private static bool[] Boundaries(Rule[] rules, out int count)
    {
        var boundaries = new bool[PortCount + 1];
        boundaries[0] = true;
        foreach (Rule rule in rules)
        {
            rule.DestinationPorts.MarkBoundaries(boundaries);
        }

        boundaries[PortCount] = false;
        count = 0;
        foreach (bool boundary in boundaries)
        {
            count += boundary ? 1 : 0;
        }

        return boundaries;
    }

    /// <summary>
    /// Gives each port the class of the ports <paramref name="rules"/>' destination ports treat
    /// alike: between two boundaries of the port sets every set matches alike, and ranges with the
    /// same matching rules share a class. Null when there are more than <see cref="MaxClasses"/>.
    /// </summary>
    private static ushort[]? Classify(Rule[] rules, out int classes)
    {
        bool[] boundaries = Boundaries(rules, out _);
        var ids = new Dictionary<string, ushort>(StringComparer.Ordinal);
        var map = new ushort[PortCount];
        var members = new System.Text.StringBuilder(rules.Length);
        ushort id = 0;
        for (int port = 0; port < PortCount; port++)
        {
            if (boundaries[port])
            {
                members.Clear();
                foreach (Rule rule in rules)
                {
                    members.Append(rule.DestinationPorts.Matches((ushort)port) ? '1' : '0');
                }

                string key = members.ToString();
                if (!ids.TryGetValue(key, out id))
                {
                    if (ids.Count == MaxClasses)
                    {
                        classes = 1;
                        return null;
                    }

                    id = (ushort)ids.Count;
                    ids.Add(key, id);
                }
            }

            map[port] = id;
        }

        classes = ids.Count;
        return map;
    }

    /// <summary>One list per (destination class, source class): the candidates whose ports can hold such a packet.</summary>
    private static Rule[][] Tabulate(Rule[] candidates, ushort[] destinationClass, int destinationClasses, ushort[]? sourceClass, int sourceClasses)
    {
        // One port of each class stands for the class.
        int[] destinationPort = Representatives(destinationClass, destinationClasses);
        int[] sourcePort = sourceClass is null ? [0] : Representatives(sourceClass, sourceClasses);
        var lists = new Rule[destinationClasses * sourceClasses][];
        for (int d = 0; d < destinationClasses; d++)
        {
            for (int s = 0; s < sourceClasses; s++)
            {
                ushort destination = (ushort)destinationPort[d];
                ushort? source = sourceClass is null ? null : (ushort)sourcePort[s];
                lists[(d * sourceClasses) + s] = Keep(candidates, r => IsCandidate(r, destination, source));
            }
        }

        return lists;
    }

    private static bool IsCandidate(Rule rule, ushort destinationPort, ushort? sourcePort)
    {
        if (rule.DestinationPorts.IsAny || rule.DestinationPorts.Matches(destinationPort))
        {
            return true;
        }

        // Only bidirectional rules with ports made source classes; without them no such rule exists.
        Debug.Assert(!rule.Bidirectional || sourcePort is not null, "a bidirectional rule with ports has source classes");
        return rule.Bidirectional && sourcePort is ushort source && rule.DestinationPorts.Matches(source);
    }

    private static int[] Representatives(ushort[] classOf, int classes)
    {
        int[] port = new int[classes];
        for (int c = 0; c < classes; c++)
        {
            port[c] = -1;
        }

        for (int p = 0; p < classOf.Length; p++)
        {
            if (port[classOf[p]] < 0)
            {
                port[classOf[p]] = p;
            }
        }

        return port;
    }
}
