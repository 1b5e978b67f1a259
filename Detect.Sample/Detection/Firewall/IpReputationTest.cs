using System.Globalization;
using Capture.Abstractions;

namespace Detect.Sample.Detection.Firewall;

/// <summary>
/// <c>iprep:&lt;any|src|dst|both&gt;,&lt;category&gt;,&lt;op&gt;[,&lt;score&gt;]</c>: the packet's source and/or
/// destination score in a reputation category compared with <c>&lt;</c>, <c>&gt;</c>, <c>=</c>, or
/// tested with <c>isset</c> / <c>isnotset</c> (a score, whatever it is).
/// </summary>
internal sealed class IpReputationTest
{
    private readonly IpReputation _reputation;
    private readonly string _side;
    private readonly byte _category;
    private readonly string _op;
    private readonly int _score;

    private IpReputationTest(IpReputation reputation, string side, byte category, string op, int score)
    {
        _reputation = reputation;
        _side = side;
        _category = category;
        _op = op;
        _score = score;
    }

    public static IpReputationTest Parse(string value, IpReputation? reputation)
    {
        string[] parts = value.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (3 or 4) || parts[0] is not ("any" or "src" or "dst" or "both"))
        {
            throw new RuleSyntaxException($"iprep: '{value}' is not allowed; expected <any|src|dst|both>,<category>,<|>|=,<score> or <side>,<category>,isset|isnotset");
        }

        if (reputation is null)
        {
            throw new RuleSyntaxException("iprep: IP reputation is not configured (reputation-categories-file and reputation-files)");
        }

        if (!reputation.TryGetCategory(parts[1], out byte category) || category == 0)
        {
            throw new RuleSyntaxException($"iprep: unknown category '{parts[1]}' (not in the reputation categories file)");
        }

        string op = parts[2];
        int score = 0;
        if (op is "isset" or "isnotset")
        {
            if (parts.Length != 3)
            {
                throw new RuleSyntaxException($"iprep: '{op}' takes no score");
            }
        }
        else if (op is not ("<" or ">" or "=") || parts.Length != 4
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out score) || score > IpReputation.MaxScore)
        {
            throw new RuleSyntaxException($"iprep: '{value}': expected <, > or = and a score 0..{IpReputation.MaxScore}, or isset / isnotset");
        }

        return new IpReputationTest(reputation, parts[0], category, op, score);
    }

    /// <summary>Whether the packet (source = sender) passes the test.</summary>
    public bool Matches(in FlowTuple packet) => _side switch
    {
        "src" => Holds(packet.Source, packet.IsIPv6),
        "dst" => Holds(packet.Destination, packet.IsIPv6),
        "both" => Holds(packet.Source, packet.IsIPv6) && Holds(packet.Destination, packet.IsIPv6),
        _ => Holds(packet.Source, packet.IsIPv6) || Holds(packet.Destination, packet.IsIPv6),
    };

    private bool Holds(in FlowAddress address, bool isIPv6)
    {
        byte score = _reputation.Score(address, isIPv6, _category);
        return _op switch
        {
            "isset" => score != 0,
            "isnotset" => score == 0,
            "<" => score != 0 && score < _score,
            ">" => score > _score,
            _ => score != 0 && score == _score,
        };
    }
}
