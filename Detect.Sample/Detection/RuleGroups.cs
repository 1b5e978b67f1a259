using System.Diagnostics;
using FlowEngine.Decode;

namespace Detect.Sample.Detection;

/// <summary>
/// The rules a packet can match, chosen by its IP protocol and ports before any rule runs, as
/// Suricata's signature groups are: a rule is a candidate when its protocol matches and (for TCP,
/// UDP and SCTP) its destination ports hold the packet's destination port, or, for a <c>&lt;&gt;</c>
/// rule, its source port. Several lists of rules (pass, alert) share one set of groups; every
/// candidate list keeps its rules' order, so the matches and their order are those of running
/// every rule. A packet without payload has its own, shorter lists: the rules that look for a
/// content in the payload (<see cref="Rule.NeedsPayload"/>) cannot match it.
/// </summary>
/// <remarks>
/// Ports fall into classes: ranges of ports that every rule's destination ports treat alike. A
/// packet's cell is found by its protocol, its destination port's class and (only when a
/// bidirectional rule names ports) its source port's class, and holds each list's candidates, all
/// computed once when the rules load. A rule set too large to tabulate that way (more than
/// <see cref="MaxPortTableWork"/> rule tests) is grouped by protocol only. A port's class is found
/// by a search of the ranges' starts (a few cache lines), not in a table of every port: a flow's
/// first packet each way asks with a port of its own, and a 128 KB table's line was a cache miss
/// for most of them.
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

    // Per (protocol, family): its first cell, and whether its cells go by port class.
    private readonly int[] _firstCell = new int[512];
    private readonly bool[] _byPorts = new bool[512];
    private readonly PortClasses? _destinationClass;
    private readonly PortClasses? _sourceClass;
    private readonly int _sourceClasses = 1;

    // Per list, per cell: the candidates, and those of a packet without payload; per cell: whether
    // any list has one (AnyCandidate), and one for a packet without payload (AnyWithoutPayload).
    private readonly Rule[][][] _cells;
    private readonly Rule[][][] _cellsWithoutPayload;
    private readonly byte[] _anyCandidate;
    private const byte AnyCandidate = 1, AnyWithoutPayload = 2;

    /// <summary>Groups the rules of each list; a list's rules keep their order.</summary>
    /// <param name="lists">The rule lists, looked up by their index.</param>
    public RuleGroups(params IReadOnlyList<Rule>[] lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        List<Rule> all = [];
        foreach (IReadOnlyList<Rule> list in lists)
        {
            all.AddRange(list);
        }

        Rule[] portRules = Keep(all, r => !r.DestinationPorts.IsAny);
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
                || (long)destinationClasses * _sourceClasses * all.Count * PortProtocolKeys > MaxPortTableWork)
            {
                _destinationClass = null;
                _sourceClass = null;
                _sourceClasses = 1;
            }
        }

        int[] destinationPort = _destinationClass is null ? [0] : _destinationClass.FirstPorts(destinationClasses);
        int[] sourcePort = _sourceClass is null ? [0] : _sourceClass.FirstPorts(_sourceClasses);
        var cells = new List<Rule[]>[lists.Length];
        for (int l = 0; l < lists.Length; l++)
        {
            cells[l] = [];
        }

        int next = 0;
        for (int protocol = 0; protocol < 256; protocol++)
        {
            for (int family = 0; family < 2; family++)
            {
                bool isIPv6 = family == 1;
                int key = (protocol << 1) | family;
                _firstCell[key] = next;
                _byPorts[key] = _destinationClass is not null && HasPorts((byte)protocol) && all.Exists(r => r.ProtocolMatches((byte)protocol, isIPv6));
                for (int l = 0; l < lists.Length; l++)
                {
                    Rule[] candidates = Keep(lists[l], r => r.ProtocolMatches((byte)protocol, isIPv6));
                    if (!_byPorts[key])
                    {
                        cells[l].Add(candidates);
                        continue;
                    }

                    for (int d = 0; d < destinationClasses; d++)
                    {
                        for (int c = 0; c < _sourceClasses; c++)
                        {
                            ushort destination = (ushort)destinationPort[d];
                            ushort? source = _sourceClass is null ? null : (ushort)sourcePort[c];
                            cells[l].Add(Keep(candidates, r => IsCandidate(r, destination, source)));
                        }
                    }
                }

                next += _byPorts[key] ? destinationClasses * _sourceClasses : 1;
            }
        }

        _cells = new Rule[lists.Length][][];
        _cellsWithoutPayload = new Rule[lists.Length][][];
        _anyCandidate = new byte[next];
        for (int l = 0; l < lists.Length; l++)
        {
            _cells[l] = cells[l].ToArray();
            _cellsWithoutPayload[l] = new Rule[next][];
            for (int cell = 0; cell < next; cell++)
            {
                Rule[] withoutPayload = Keep(_cells[l][cell], r => !r.NeedsPayload);
                _cellsWithoutPayload[l][cell] = withoutPayload;
                _anyCandidate[cell] |= (byte)((_cells[l][cell].Length > 0 ? AnyCandidate : 0) | (withoutPayload.Length > 0 ? AnyWithoutPayload : 0));
            }
        }
    }

    /// <summary>The cell of a packet in its own direction (source = sender).</summary>
    /// <param name="protocol">The IP protocol.</param>
    /// <param name="isIPv6">The address family.</param>
    /// <param name="sourcePort">The sender's port.</param>
    /// <param name="destinationPort">The receiver's port.</param>
    /// <returns>The cell, for <see cref="Rules"/> and <see cref="HasCandidates"/>.</returns>
    public int Cell(byte protocol, bool isIPv6, ushort sourcePort, ushort destinationPort)
    {
        int key = (protocol << 1) | (isIPv6 ? 1 : 0);
        int cell = _firstCell[key];
        if (!_byPorts[key])
        {
            return cell;
        }

        int source = _sourceClass is null ? 0 : _sourceClass.Of(sourcePort);
        return cell + (_destinationClass!.Of(destinationPort) * _sourceClasses) + source;
    }

    /// <summary>Whether any list has a candidate in the cell.</summary>
    /// <param name="cell">A <see cref="Cell"/>.</param>
    /// <returns>False when no rule of any list can match its packets.</returns>
    public bool HasCandidates(int cell) => (_anyCandidate[cell] & AnyCandidate) != 0;

    /// <summary>Whether any list has a candidate in the cell for a packet without payload.</summary>
    /// <param name="cell">A <see cref="Cell"/>.</param>
    /// <returns>False when no rule of any list can match its packets that carry no payload.</returns>
    public bool HasCandidatesWithoutPayload(int cell) => (_anyCandidate[cell] & AnyWithoutPayload) != 0;

    /// <summary>The candidates of one list in a cell, in the list's order.</summary>
    /// <param name="list">The list's index in the constructor's.</param>
    /// <param name="cell">A <see cref="Cell"/>.</param>
    /// <param name="withoutPayload">For a packet without payload: less the rules that need one.</param>
    /// <returns>The rules that may match; the list's others cannot.</returns>
    public ReadOnlySpan<Rule> Rules(int list, int cell, bool withoutPayload = false) =>
        withoutPayload ? _cellsWithoutPayload[list][cell] : _cells[list][cell];

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
    private static PortClasses? Classify(Rule[] rules, out int classes)
    {
        bool[] boundaries = Boundaries(rules, out _);
        var ids = new Dictionary<string, ushort>(StringComparer.Ordinal);
        List<ushort> starts = [];
        List<ushort> classOfRange = [];
        var members = new System.Text.StringBuilder(rules.Length);
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
                if (!ids.TryGetValue(key, out ushort id))
                {
                    if (ids.Count == MaxClasses)
                    {
                        classes = 1;
                        return null;
                    }

                    id = (ushort)ids.Count;
                    ids.Add(key, id);
                }

                // A range runs to the next boundary; one that has its neighbour's class joins it.
                if (classOfRange.Count == 0 || classOfRange[^1] != id)
                {
                    starts.Add((ushort)port);
                    classOfRange.Add(id);
                }
            }
        }

        classes = ids.Count;
        return new PortClasses([.. starts], [.. classOfRange]);
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
}
